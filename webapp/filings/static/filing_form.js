/*
 * Filing form conveniences (the page works without them):
 *  - the form's data-type follows the chosen 学徒类型, so the CSS shows only that type's fields;
 *  - a live estimate of the fund plan (trainees x rate x months / 12) as the user types. The server
 *    recomputes it on every save; this is only a preview.
 * ES2015 without newer syntax, like app.js.
 */
(function () {
  'use strict';

  var form = document.getElementById('filing-form');
  if (!form) { return; }
  var card = document.getElementById('fund-plan');
  var output = card && card.querySelector('[data-fund-estimate]');
  var rates = {};
  try { rates = JSON.parse((card && card.getAttribute('data-rates')) || '{}'); } catch (e) { rates = {}; }

  function value(name) {
    var el = form.elements[name];
    if (!el) { return ''; }
    if (typeof el.value === 'string') { return el.value; }
    return '';
  }

  function chosenType() {
    var checked = form.querySelector('input[name="apprenticeship_type"]:checked');
    return checked ? checked.value : (form.getAttribute('data-type') || 'enterprise_apprentice');
  }

  function parseDate(text) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || '');
    return m ? { y: +m[1], m: +m[2], d: +m[3] } : null;
  }

  function addMonths(date, months) {
    // Same as workflows.rules.money.add_months: the day is clamped to the month's last day.
    var index = date.y * 12 + date.m - 1 + months;
    var y = Math.floor(index / 12), m = index % 12 + 1;
    var last = new Date(Date.UTC(y, m, 0)).getUTCDate();
    return y * 10000 + m * 100 + Math.min(date.d, last);
  }

  function periodMonths(start, end) {
    // Same as workflows.rules.money.period_months: every started month counts (end inclusive).
    var endKey = end.y * 10000 + end.m * 100 + end.d;
    var startKey = start.y * 10000 + start.m * 100 + start.d;
    if (endKey <= startKey) { return 0; }
    var months = 1;
    while (addMonths(start, months) <= endKey && months < 120) { months += 1; }
    return months;
  }

  function traineeCount() {
    var rows = form.querySelectorAll('table[data-prefix="trainees"] tbody tr:not([data-empty-row])');
    var n = 0;
    Array.prototype.forEach.call(rows, function (row) {
      var filled = Array.prototype.some.call(row.querySelectorAll('input'), function (input) {
        return /-(name|id_number)$/.test(input.name) && input.value.trim() !== '';
      });
      if (filled) { n += 1; }
    });
    return n;
  }

  function format(n) {
    return n.toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  function updateEstimate() {
    if (!output) { return; }
    var type = chosenType();
    var rate = (rates[type] || {})[value('level')] || 0;
    var start = parseDate(value('period_start'));
    var end = parseDate(value('period_end'));
    var months = start && end ? periodMonths(start, end) : 0;
    var n = traineeCount();
    if (!rate || !months || !n) {
      output.hidden = true;
      return;
    }
    output.textContent = '按当前填写内容估算：' + n + ' 人 × ' + rate.toLocaleString('zh-CN') + ' 元/人·年 × ' +
      months + ' 个月 ÷ 12 = ' + format(Math.round(n * rate * months * 100 / 12) / 100) + ' 元（以保存后系统计算为准）';
    output.hidden = false;
  }

  function syncType() {
    form.setAttribute('data-type', chosenType());
  }

  form.addEventListener('change', function (event) {
    if (event.target && event.target.name === 'apprenticeship_type') { syncType(); }
    updateEstimate();
  });
  form.addEventListener('input', updateEstimate);
  form.addEventListener('click', function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (target && target.closest('[data-add-row], [data-remove-row]')) {
      window.setTimeout(updateEstimate, 0);
    }
  });
  syncType();
  updateEstimate();
}());

/*
 * Filing form conveniences (the page works without them):
 *  - the form's data-type follows the chosen 学徒类型, so the CSS shows only that type's fields;
 *  - a live estimate of the fund plan (trainees x rate x months / 12) as the user types. The server
 *    recomputes it on every save; this is only a preview.
 *  - dates: every [data-date-text] input takes the usual Chinese forms (2027-03-01, 2027/3/1,
 *    20270301, 2027年3月1日; the server parses the same) and gets a date picker beside it;
 *  - paste from Excel / WPS: tab-separated lines pasted into a trainee or course cell fill the
 *    following cells (the roster template's column order) and rows, adding rows as needed;
 *  - roster import (saved or not): the .xlsx is read by the server (/rosters/parse) and its rows
 *    go into the table, appended or replacing the list;
 *  - the job-post check (R2) while typing, answered by the server's own rule;
 *  - Enter in a text field does not submit the form (no accidental drafts).
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

  var DATE_FORMS = [/^(\d{4})[-\/.](\d{1,2})[-\/.](\d{1,2})$/, /^(\d{4})(\d{2})(\d{2})$/,
    /^(\d{4})年(\d{1,2})月(\d{1,2})日?$/];

  function parseDate(text) {
    var value = (text || '').replace(/[０-９]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xFEE0); })
      .replace(/[－／．]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xFEE0); })
      .replace(/\s+/g, '');
    for (var i = 0; i < DATE_FORMS.length; i += 1) {
      var m = DATE_FORMS[i].exec(value);
      if (m) {
        var y = +m[1], mo = +m[2], d = +m[3];
        var check = new Date(y, mo - 1, d);
        if (check.getFullYear() === y && check.getMonth() === mo - 1 && check.getDate() === d) {
          return { y: y, m: mo, d: d };
        }
        return null;
      }
    }
    return null;
  }

  function iso(date) {
    function pad(n) { return (n < 10 ? '0' : '') + n; }
    return date.y + '-' + pad(date.m) + '-' + pad(date.d);
  }

  function fire(el, type) {
    var event = document.createEvent('Event');
    event.initEvent(type, true, true);
    el.dispatchEvent(event);
  }

  /* ---------- Dates: a text input (any browser keeps what is typed) plus a picker ---------- */
  function addPicker(input) {
    if (input.getAttribute('data-has-picker') !== null) { return; }
    input.setAttribute('data-has-picker', '');
    var picker = document.createElement('input');
    picker.type = 'date';
    picker.className = 'date-picker';
    picker.tabIndex = -1;
    picker.setAttribute('data-date-picker', '');
    picker.setAttribute('aria-label', '从日历选择' + (input.getAttribute('aria-label') || ''));
    var parsed = parseDate(input.value);
    if (parsed) { picker.value = iso(parsed); }
    picker.addEventListener('change', function (event) {
      event.stopPropagation();
      if (picker.value) {
        input.value = picker.value;
        fire(input, 'input');
        fire(input, 'change');
      }
    });
    picker.addEventListener('input', function (event) { event.stopPropagation(); });
    input.parentNode.insertBefore(picker, input.nextSibling);
  }

  function addPickers(root) {
    Array.prototype.forEach.call(root.querySelectorAll('input[data-date-text]'), addPicker);
  }

  form.addEventListener('input', function (event) {
    var input = event.target;
    if (!input || !input.hasAttribute || !input.hasAttribute('data-date-text')) { return; }
    var picker = input.nextElementSibling;
    var parsed = parseDate(input.value);
    if (picker && picker.hasAttribute('data-date-picker')) { picker.value = parsed ? iso(parsed) : ''; }
  });

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
  /* ---------- Paste from Excel / WPS ---------- */
  function cellsOf(row) {
    return Array.prototype.filter.call(row.querySelectorAll('input, select, textarea'), function (el) {
      return el.type !== 'hidden' && el.type !== 'button' && !el.hasAttribute('data-date-picker');
    });
  }

  function dataRowsOf(table) {
    return Array.prototype.filter.call(table.tBodies[0].rows, function (row) {
      return !row.hasAttribute('data-empty-row');
    });
  }

  function addRowTo(table) {
    var prefix = table.getAttribute('data-prefix');
    var button = document.querySelector('[data-add-row="' + prefix + '"]');
    var before = dataRowsOf(table).length;
    if (!button || button.disabled) { return null; }
    button.click();
    var rows = dataRowsOf(table);
    return rows.length > before ? rows[rows.length - 1] : null;
  }

  function setCell(el, text) {
    var value = text.trim();
    if (el.tagName === 'SELECT') {
      var match = Array.prototype.filter.call(el.options, function (o) {
        return o.value === value || o.text.trim() === value;
      })[0];
      if (!match) { return; }
      el.value = match.value;
    } else {
      el.value = value;
    }
    fire(el, 'input');
    fire(el, 'change');
  }

  function splitClipboard(text) {
    var lines = text.replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n');
    return lines.map(function (line) { return line.split('\t'); });
  }

  form.addEventListener('paste', function (event) {
    var target = event.target;
    var table = target && target.closest && target.closest('table.dynamic-rows');
    var data = event.clipboardData || window.clipboardData;
    if (!table || !data) { return; }
    var text = data.getData('text/plain') || data.getData('Text') || '';
    if (text.indexOf('\t') === -1 && text.replace(/\r?\n$/, '').indexOf('\n') === -1) { return; }
    event.preventDefault();
    var grid = splitClipboard(text);
    var rows = dataRowsOf(table);
    var rowIndex = rows.indexOf(target.closest('tr'));
    var column = cellsOf(rows[rowIndex]).indexOf(target);
    var filled = 0;
    for (var i = 0; i < grid.length; i += 1) {
      var row = dataRowsOf(table)[rowIndex + i] || addRowTo(table);
      if (!row) { break; }
      var cells = cellsOf(row);
      for (var j = 0; j < grid[i].length && column + j < cells.length; j += 1) {
        setCell(cells[column + j], grid[i][j]);
      }
      filled += 1;
    }
    addPickers(table);
    var status = form.querySelector('[data-roster-import-result]');
    if (status && table.getAttribute('data-prefix') === 'trainees') {
      status.textContent = '已粘贴 ' + filled + ' 行' + (filled < grid.length ? '（已达到行数上限）' : '') + '。';
    }
    updateEstimate();
    checkJobPosts();
  });

  /* ---------- Roster import into the table (saved or not) ---------- */
  var importBox = document.querySelector('[data-roster-import]');
  if (importBox) {
    importBox.querySelector('[data-roster-import-button]').addEventListener('click', function () {
      var fileInput = importBox.querySelector('[data-roster-file]');
      var result = importBox.querySelector('[data-roster-import-result]');
      var modeInput = importBox.querySelector('input[name="roster_mode"]:checked');
      var mode = modeInput ? modeInput.value : 'append';
      if (!fileInput.files || !fileInput.files.length) {
        result.textContent = '请先选择 Excel 学员名单文件（.xlsx）。';
        return;
      }
      var body = new FormData();
      body.append('file', fileInput.files[0]);
      body.append('csrf_token', form.elements.csrf_token ? form.elements.csrf_token.value : '');
      body.append('apprenticeship_type', chosenType());
      body.append('period_start', value('period_start'));
      result.textContent = '正在读取名单…';
      window.fetch(importBox.getAttribute('data-url'), {
        method: 'POST', body: body, credentials: 'same-origin', headers: { 'Accept': 'application/json' }
      }).then(function (response) {
        return response.json().then(function (json) { return { ok: response.ok, json: json }; });
      }).then(function (answer) {
        if (!answer.ok) {
          var list = (answer.json.errors || []).slice(0, 20).map(function (e) {
            return '第' + e.row + '行“' + e.column + '”：' + e.message;
          });
          result.textContent = (answer.json.message || '导入未成功。') + (list.length ? ' ' + list.join('；') : '');
          return;
        }
        fillTrainees(answer.json.trainees || [], mode, result);
      }).catch(function () {
        result.textContent = '导入未成功，请检查网络后重试。';
      });
    });
  }

  function rowIsBlank(row) {
    return cellsOf(row).every(function (el) { return el.tagName === 'SELECT' || !el.value.trim(); });
  }

  function fillTrainees(trainees, mode, result) {
    var table = form.querySelector('table[data-prefix="trainees"]');
    var rows = dataRowsOf(table);
    rows.forEach(function (row) {
      if (mode === 'replace' || rowIsBlank(row)) {
        var remove = row.querySelector('[data-remove-row]');
        if (remove) { remove.removeAttribute('data-confirm'); remove.click(); }
      }
    });
    var added = 0;
    trainees.forEach(function (t) {
      var row = addRowTo(table);
      if (!row) { return; }
      Object.keys(t).forEach(function (key) {
        var el = row.querySelector('[name$="-' + key + '"]');
        if (el) { setCell(el, t[key]); }
      });
      added += 1;
    });
    addPickers(table);
    form.setAttribute('data-dirty', '');
    result.textContent = '已' + (mode === 'replace' ? '替换为' : '追加') + ' ' + added + ' 名学员，现共 ' +
      dataRowsOf(table).length + ' 名。请核对后保存草稿。' + (added < trainees.length ? '（已达到人数上限）' : '');
    updateEstimate();
    checkJobPosts();
  }

  /* ---------- The job-post check while typing (the server's rule) ---------- */
  var checkUrl = form.getAttribute('data-job-post-url');
  var checkTimer = null;

  function hintFor(input) {
    var hint = input.parentNode.querySelector('[data-job-post-hint]');
    if (!hint) {
      hint = document.createElement('p');
      hint.className = 'job-post-hint';
      hint.setAttribute('data-job-post-hint', '');
      hint.setAttribute('aria-live', 'polite');
      input.parentNode.appendChild(hint);
    }
    return hint;
  }

  function checkJobPosts() {
    window.clearTimeout(checkTimer);
    checkTimer = window.setTimeout(runJobPostCheck, 400);
  }

  function runJobPostCheck() {
    if (!checkUrl || !window.fetch) { return; }
    var inputs = Array.prototype.slice.call(form.querySelectorAll('input[name$="-job_post"]')).filter(function (el) {
      return !el.closest('template');
    });
    var occupation = value('occupation_code');
    var query = 'occupation_code=' + encodeURIComponent(occupation) + inputs.map(function (el) {
      return '&job_post=' + encodeURIComponent(el.value);
    }).join('');
    window.fetch(checkUrl + '?' + query, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (!answer) { return; }
        inputs.forEach(function (input, i) {
          var item = answer.results[i];
          var hint = hintFor(input);
          if (!item || !item.result || !occupation) {
            hint.textContent = '';
            hint.className = 'job-post-hint';
            input.removeAttribute('data-job-post');
            return;
          }
          hint.textContent = item.message;
          hint.className = 'job-post-hint job-post-' + item.result;
          input.setAttribute('data-job-post', item.result);
        });
      })
      .catch(function () { /* the server checks again on submit */ });
  }

  form.addEventListener('input', function (event) {
    if (event.target && /-job_post$/.test(event.target.name || '')) { checkJobPosts(); }
  });
  form.addEventListener('change', function (event) {
    if (event.target && event.target.name === 'occupation_code') { checkJobPosts(); }
  });

  /* ---------- Enter in a text field does not submit ---------- */
  form.addEventListener('keydown', function (event) {
    var el = event.target;
    if (event.key === 'Enter' && el && el.tagName === 'INPUT' && el.type !== 'submit' && el.type !== 'button' &&
        el.type !== 'file') {
      event.preventDefault();
    }
  });

  if (window.MutationObserver) {
    new window.MutationObserver(function () { addPickers(form); }).observe(form, { childList: true, subtree: true });
  }
  addPickers(form);
  syncType();
  updateEstimate();
  if (Array.prototype.some.call(form.querySelectorAll('input[name$="-job_post"]'), function (el) {
    return el.value.trim() !== '';
  })) { checkJobPosts(); }
}());

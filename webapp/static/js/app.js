/*
 * 广州市企业新型学徒制管理系统 - progressive enhancement for every page (no framework, no CDN).
 * Every page works without this file; it only adds conveniences. Hooks (see docs/ui.md):
 *
 *   Dynamic rows (WTForms FieldList):
 *     <table class="dynamic-rows" data-prefix="trainees" [data-min-rows="0"] [data-max-rows="200"]>
 *       <thead>…</thead>
 *       <tbody>
 *         <tr>… name="trainees-0-name" id="trainees-0-name" … <button type="button" data-remove-row>删除</button></tr>
 *         <tr data-empty-row>…shown only while there are no rows…</tr>   (optional)
 *         <template><tr>… name="trainees-__index__-name" …</tr></template>
 *       </tbody>
 *     </table>
 *     <button type="button" data-add-row="trainees">添加学员</button>
 *   Adding copies the template with the next index; removing re-numbers the remaining rows
 *   (name, id, for, aria-* attributes: "trainees-N-…") so indexes stay 0..n-1.
 *   Elements with [data-row-number] get the 1-based row number as text.
 *
 *   Confirmation: data-confirm="确定提交吗？" on a submit button (or on the <form>, or on a
 *   [data-remove-row] button) asks window.confirm() first.
 *
 *   Select all: <input type="checkbox" data-select-all="task_ids"> checks / unchecks every checkbox
 *   named task_ids in its form (and shows the mixed state when only some are checked).
 *
 *   Tabs: <div data-tabs aria-label="…"> whose children carry data-tab-label="…" become ARIA tabs
 *   (arrow keys, Home, End); without this file the sections simply follow each other.
 *
 *   Double-submit guard: a POST form ignores a second submission within a few seconds
 *   (opt out with data-allow-resubmit on the form).
 *
 *   Unsaved changes: <form data-unsaved-warning> asks before the page is left (beforeunload) once
 *   anything in it changed, until it is submitted.
 *
 *   Autosave: <form data-autosave> (e.g. the report's summary) is posted in the background
 *   (header X-Autosave: 1) a moment after typing stops, and before any other form on the page is
 *   submitted or a link is followed, so no button loses the typed text. [data-autosave-status]
 *   inside it says what happened.
 *
 *   Print: <button data-print> prints the page (print stylesheet in app.css / cases.css).
 *
 * Messages are never auto-dismissed. Written in ES2015 without newer syntax so older
 * Chromium-based browsers on government desktops run it.
 */
(function () {
  'use strict';

  var INDEX_TOKEN = '__index__';
  var RENUMBER_ATTRS = ['name', 'id', 'for', 'aria-describedby', 'aria-labelledby', 'aria-controls', 'list'];
  var RESUBMIT_GUARD_MS = 4000;

  function toArray(list) {
    return Array.prototype.slice.call(list || []);
  }

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }

  function cssEscape(text) {
    return window.CSS && window.CSS.escape ? window.CSS.escape(text) : text.replace(/["\\]/g, '\\$&');
  }

  /* ---------- Screen-reader announcements ---------- */
  var liveRegion = null;
  function announce(message) {
    if (!liveRegion) {
      liveRegion = document.createElement('div');
      liveRegion.className = 'sr-only';
      liveRegion.setAttribute('aria-live', 'polite');
      document.body.appendChild(liveRegion);
    }
    liveRegion.textContent = '';
    window.setTimeout(function () { liveRegion.textContent = message; }, 50);
  }

  /* ---------- Dynamic rows ---------- */
  function findTable(prefix) {
    return document.querySelector('table.dynamic-rows[data-prefix="' + cssEscape(prefix) + '"]');
  }

  function findTemplate(table, prefix) {
    return document.querySelector('template[data-row-template="' + cssEscape(prefix) + '"]') ||
      table.querySelector('template');
  }

  function bodyOf(table) {
    if (!table.tBodies.length) {
      table.appendChild(document.createElement('tbody'));
    }
    return table.tBodies[0];
  }

  function dataRows(table) {
    return toArray(bodyOf(table).rows).filter(function (row) {
      return !row.hasAttribute('data-empty-row');
    });
  }

  function intAttr(element, name, fallback) {
    var value = parseInt(element.getAttribute(name), 10);
    return isNaN(value) ? fallback : value;
  }

  function renumber(table) {
    var prefix = table.getAttribute('data-prefix') || '';
    var pattern = new RegExp('(^|\\s)' + escapeRegExp(prefix) + '-(\\d+|' + INDEX_TOKEN + ')-', 'g');
    dataRows(table).forEach(function (row, index) {
      var replacement = '$1' + prefix + '-' + index + '-';
      [row].concat(toArray(row.querySelectorAll('*'))).forEach(function (element) {
        RENUMBER_ATTRS.forEach(function (attr) {
          var value = element.getAttribute(attr);
          if (value === null) { return; }
          var updated = value.replace(pattern, replacement);
          if (updated !== value) { element.setAttribute(attr, updated); }
        });
      });
      toArray(row.querySelectorAll('[data-row-number]')).forEach(function (element) {
        element.textContent = String(index + 1);
      });
    });
  }

  function updateState(table) {
    var prefix = table.getAttribute('data-prefix') || '';
    var count = dataRows(table).length;
    var max = intAttr(table, 'data-max-rows', Infinity);
    var min = intAttr(table, 'data-min-rows', 0);
    toArray(bodyOf(table).querySelectorAll('tr[data-empty-row]')).forEach(function (row) {
      row.hidden = count > 0;
    });
    toArray(document.querySelectorAll('[data-add-row="' + cssEscape(prefix) + '"]')).forEach(function (button) {
      button.disabled = count >= max;
    });
    toArray(table.querySelectorAll('[data-remove-row]')).forEach(function (button) {
      button.disabled = count <= min;
    });
  }

  function focusFirstField(row) {
    var field = row && row.querySelector('input:not([type="hidden"]), select, textarea, button');
    if (field) { field.focus(); }
    return Boolean(field);
  }

  function addRow(prefix) {
    var table = findTable(prefix);
    if (!table) { return; }
    var template = findTemplate(table, prefix);
    if (!template || !template.content) { return; }
    var rows = dataRows(table);
    if (rows.length >= intAttr(table, 'data-max-rows', Infinity)) { return; }

    var index = String(rows.length);
    var fragment = template.content.cloneNode(true);
    toArray(fragment.querySelectorAll('*')).forEach(function (element) {
      toArray(element.attributes).forEach(function (attr) {
        if (attr.value.indexOf(INDEX_TOKEN) !== -1) {
          element.setAttribute(attr.name, attr.value.split(INDEX_TOKEN).join(index));
        }
      });
    });
    var newRow = fragment.querySelector('tr');
    var body = bodyOf(table);
    var last = rows.length ? rows[rows.length - 1] : null;
    // Keep data rows together, before any [data-empty-row] row or the <template>.
    body.insertBefore(fragment, last ? last.nextSibling : body.firstChild);
    renumber(table);
    updateState(table);
    focusFirstField(newRow);
    announce('已添加第 ' + (rows.length + 1) + ' 行');
  }

  function removeRow(button) {
    var row = button.closest('tr');
    var table = row && row.closest('table.dynamic-rows');
    if (!table) { return; }
    var rows = dataRows(table);
    if (rows.length <= intAttr(table, 'data-min-rows', 0)) { return; }
    var message = button.getAttribute('data-confirm');
    if (message && !window.confirm(message)) { return; }

    var position = rows.indexOf(row);
    row.parentNode.removeChild(row);
    renumber(table);
    updateState(table);

    var remaining = dataRows(table);
    var prefix = table.getAttribute('data-prefix') || '';
    var next = remaining[Math.min(position, remaining.length - 1)];
    if (!focusFirstField(next)) {
      var addButton = document.querySelector('[data-add-row="' + cssEscape(prefix) + '"]');
      if (addButton) { addButton.focus(); }
    }
    announce('已删除 1 行，剩余 ' + remaining.length + ' 行');
  }

  document.addEventListener('click', function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) { return; }
    var add = target.closest('[data-add-row]');
    if (add) {
      event.preventDefault();
      addRow(add.getAttribute('data-add-row'));
      return;
    }
    var remove = target.closest('[data-remove-row]');
    if (remove) {
      event.preventDefault();
      removeRow(remove);
    }
  });

  /* ---------- Confirmation and double-submit guard ---------- */
  var lastSubmitter = null;
  document.addEventListener('click', function (event) {
    var target = event.target instanceof Element ? event.target : null;
    var button = target && target.closest('button, input[type="submit"], input[type="image"]');
    lastSubmitter = button && button.form ? button : null;
  }, true);

  document.addEventListener('submit', function (event) {
    var form = event.target;
    // event.submitter is missing in Chromium < 81; fall back to the last clicked button.
    var submitter = event.submitter ||
      (lastSubmitter && lastSubmitter.form === form ? lastSubmitter : null);
    lastSubmitter = null;

    var flushed = form.hasAttribute('data-autosave-flushed');
    form.removeAttribute('data-autosave-flushed');
    var message = (submitter && submitter.getAttribute('data-confirm')) || form.getAttribute('data-confirm');
    if (!flushed && message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }

    if ((form.getAttribute('method') || 'get').toLowerCase() !== 'post' ||
        form.hasAttribute('data-allow-resubmit')) {
      return;
    }
    var now = Date.now();
    var previous = parseInt(form.getAttribute('data-submitted-at'), 10);
    if (!isNaN(previous) && now - previous < RESUBMIT_GUARD_MS) {
      event.preventDefault();
      return;
    }
    if (!event.defaultPrevented) {
      form.setAttribute('data-submitted-at', String(now));
    }
  });

  /* ---------- Unsaved changes ---------- */
  function markDirty(event) {
    var form = event.target && event.target.form;
    if (form && form.hasAttribute('data-unsaved-warning')) { form.setAttribute('data-dirty', ''); }
  }
  document.addEventListener('input', markDirty, true);
  document.addEventListener('change', markDirty, true);
  document.addEventListener('submit', function (event) {
    if (!event.defaultPrevented && event.target.removeAttribute) { event.target.removeAttribute('data-dirty'); }
  });
  window.addEventListener('beforeunload', function (event) {
    if (document.querySelector('form[data-unsaved-warning][data-dirty]')) {
      event.preventDefault();
      event.returnValue = '';
      return '';
    }
    return undefined;
  });

  /* ---------- Autosave ---------- */
  var AUTOSAVE_DELAY_MS = 1200;

  function autosaveStatus(form, text) {
    var status = form.querySelector('[data-autosave-status]');
    if (status) { status.textContent = text; }
  }

  function autosave(form) {
    window.clearTimeout(form.autosaveTimer);
    if (!form.hasAttribute('data-dirty') && !form.autosavePending) { return Promise.resolve(true); }
    form.removeAttribute('data-dirty');
    form.autosavePending = true;
    autosaveStatus(form, '正在自动保存…');
    return window.fetch(form.action, {
      method: 'POST', body: new FormData(form), credentials: 'same-origin',
      headers: { 'X-Autosave': '1', 'Accept': 'application/json' }
    }).then(function (response) {
      form.autosavePending = false;
      if (!response.ok) { throw new Error(String(response.status)); }
      var time = new Date();
      autosaveStatus(form, '已自动保存（' + time.toTimeString().slice(0, 5) + '）');
      return true;
    }).catch(function () {
      form.autosavePending = false;
      form.setAttribute('data-dirty', '');
      autosaveStatus(form, '自动保存未成功，请点击保存按钮');
      return false;
    });
  }

  document.addEventListener('input', function (event) {
    var form = event.target && event.target.form;
    if (!form || !form.hasAttribute('data-autosave')) { return; }
    form.setAttribute('data-dirty', '');
    window.clearTimeout(form.autosaveTimer);
    form.autosaveTimer = window.setTimeout(function () { autosave(form); }, AUTOSAVE_DELAY_MS);
  });

  function dirtyAutosaveForms(except) {
    return toArray(document.querySelectorAll('form[data-autosave][data-dirty]')).filter(function (f) {
      return f !== except;
    });
  }

  // Another form of the page is submitted: save the typed text first, then go on.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    var pending = dirtyAutosaveForms(form);
    if (event.defaultPrevented || !pending.length) { return; }
    event.preventDefault();
    var submitter = event.submitter || null;
    form.removeAttribute('data-submitted-at');
    Promise.all(pending.map(autosave)).then(function () {
      form.setAttribute('data-autosave-flushed', '');
      if (form.requestSubmit) { form.requestSubmit(submitter); } else { form.submit(); }
    });
  });

  // A link is followed: the same.
  document.addEventListener('click', function (event) {
    var target = event.target instanceof Element ? event.target : null;
    var link = target && target.closest('a[href]');
    if (!link || event.defaultPrevented || link.target === '_blank' || link.hasAttribute('download')) { return; }
    var pending = dirtyAutosaveForms(null);
    if (!pending.length) { return; }
    event.preventDefault();
    Promise.all(pending.map(autosave)).then(function () { window.location.href = link.href; });
  });

  /* ---------- Print ---------- */
  document.addEventListener('click', function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (target && target.closest('[data-print]')) {
      event.preventDefault();
      window.print();
    }
  });

  // Coming back with the browser's Back button restores the page from cache: allow submitting again.
  window.addEventListener('pageshow', function () {
    toArray(document.querySelectorAll('form[data-submitted-at]')).forEach(function (form) {
      form.removeAttribute('data-submitted-at');
    });
  });

  /* ---------- Wide tables: make the scrolling container reachable by keyboard ---------- */
  function markScrollableTables() {
    toArray(document.querySelectorAll('.table-wrap')).forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        if (!wrap.hasAttribute('tabindex')) {
          wrap.setAttribute('tabindex', '0');
          wrap.setAttribute('data-scroll-focus', '');
        }
        if (!wrap.hasAttribute('role')) { wrap.setAttribute('role', 'region'); }
        if (!wrap.hasAttribute('aria-label') && !wrap.hasAttribute('aria-labelledby')) {
          var caption = wrap.querySelector('caption');
          wrap.setAttribute('aria-label', caption ? caption.textContent.trim() : '表格（可左右滚动）');
        }
      } else if (wrap.hasAttribute('data-scroll-focus')) {
        wrap.removeAttribute('tabindex');
        wrap.removeAttribute('data-scroll-focus');
      }
    });
  }

  var resizeTimer = null;
  window.addEventListener('resize', function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(markScrollableTables, 200);
  });

  /* ---------- Select all (batch actions): <input type="checkbox" data-select-all="task_ids"> ---------- */
  function boxesFor(master) {
    var form = master.form || document;
    return toArray(form.querySelectorAll('input[type="checkbox"][name="' + cssEscape(master.getAttribute('data-select-all')) + '"]'));
  }

  function syncSelectAll(master) {
    var boxes = boxesFor(master);
    var checked = boxes.filter(function (b) { return b.checked; }).length;
    master.checked = boxes.length > 0 && checked === boxes.length;
    master.indeterminate = checked > 0 && checked < boxes.length;
  }

  document.addEventListener('change', function (event) {
    var target = event.target;
    if (!target || target.type !== 'checkbox') {
      return;
    }
    if (target.hasAttribute('data-select-all')) {
      boxesFor(target).forEach(function (b) { b.checked = target.checked; });
      announce(target.checked ? '已全选本页' : '已取消全选');
      return;
    }
    toArray(document.querySelectorAll('input[data-select-all]')).forEach(function (master) {
      if (master.getAttribute('data-select-all') === target.name) {
        syncSelectAll(master);
      }
    });
  });

  /* ---------- Tabs: <div data-tabs> whose children carry data-tab-label become tab panels ---------- */
  var tabCounter = 0;
  function initTabs(container) {
    var panels = toArray(container.children).filter(function (el) { return el.hasAttribute('data-tab-label'); });
    if (panels.length < 2) { return; }
    var list = document.createElement('div');
    list.className = 'tab-list';
    list.setAttribute('role', 'tablist');
    if (container.getAttribute('aria-label')) { list.setAttribute('aria-label', container.getAttribute('aria-label')); }
    var buttons = panels.map(function (panel, index) {
      tabCounter += 1;
      var button = document.createElement('button');
      button.type = 'button';
      button.id = 'tab-' + tabCounter;
      panel.id = panel.id || ('tabpanel-' + tabCounter);
      button.setAttribute('role', 'tab');
      button.setAttribute('aria-controls', panel.id);
      button.textContent = panel.getAttribute('data-tab-label');
      panel.setAttribute('role', 'tabpanel');
      panel.setAttribute('aria-labelledby', button.id);
      list.appendChild(button);
      return button;
    });
    function select(index, focus) {
      buttons.forEach(function (b, i) {
        b.setAttribute('aria-selected', i === index ? 'true' : 'false');
        b.tabIndex = i === index ? 0 : -1;
        panels[i].hidden = i !== index;
      });
      if (focus) { buttons[index].focus(); }
    }
    buttons.forEach(function (button, index) {
      button.addEventListener('click', function () { select(index, false); });
      button.addEventListener('keydown', function (event) {
        var next = null;
        if (event.key === 'ArrowRight') { next = (index + 1) % buttons.length; }
        if (event.key === 'ArrowLeft') { next = (index - 1 + buttons.length) % buttons.length; }
        if (event.key === 'Home') { next = 0; }
        if (event.key === 'End') { next = buttons.length - 1; }
        if (next !== null) { event.preventDefault(); select(next, true); }
      });
    });
    container.insertBefore(list, panels[0]);
    select(0, false);
  }

  function init() {
    toArray(document.querySelectorAll('[data-tabs]')).forEach(initTabs);
    toArray(document.querySelectorAll('table.dynamic-rows')).forEach(function (table) {
      renumber(table);
      updateState(table);
    });
    markScrollableTables();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
}());

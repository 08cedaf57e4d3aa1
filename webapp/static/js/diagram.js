/*
 * 广州市企业新型学徒制管理系统 - read-only BPMN diagram with the case's progress highlighted.
 *
 * A page that shows a diagram includes these tags (all served locally; never a CDN).
 * Easiest: {% from "_macros.html" import diagram, diagram_head, diagram_scripts %} and call
 * diagram_head() in {% block head %}, diagram(...) in the content and diagram_scripts() in
 * {% block scripts %}. Written out, that is:
 *
 *   {% block head %}
 *   <link rel="stylesheet" href="{{ url_for('static', filename='vendor/bpmn-js/assets/diagram-js.css') }}">
 *   <link rel="stylesheet" href="{{ url_for('static', filename='vendor/bpmn-js/assets/bpmn-js.css') }}">
 *   <link rel="stylesheet" href="{{ url_for('static', filename='vendor/bpmn-js/assets/bpmn-font/css/bpmn.css') }}">
 *   {% endblock %}
 *
 *   <div class="diagram" data-xml-url="{{ url_for(...) }}"
 *        data-current='{{ current_ids | tojson }}' data-done='{{ done_ids | tojson }}'></div>
 *
 *   {% block scripts %}
 *   <script src="{{ url_for('static', filename='vendor/bpmn-js/bpmn-navigated-viewer.production.min.js') }}"></script>
 *   <script src="{{ url_for('static', filename='js/diagram.js') }}"></script>
 *   {% endblock %}
 *
 * The vendor files come from `npm ci && python -m webapp.vendor` (see webapp/vendor.py).
 * data-xml-url must be same-origin (it is fetched with the session cookie). data-current and
 * data-done are JSON arrays of BPMN element ids; they get the markers highlight-current and
 * highlight-done (styled in app.css). Unknown ids are ignored. The bpmn.io watermark that the
 * viewer draws must stay visible (bpmn-js licence).
 */
(function () {
  'use strict';

  var FONT_FAMILY = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC", sans-serif';

  function parseIds(element, name) {
    var raw = element.getAttribute(name);
    if (!raw) { return []; }
    try {
      var value = JSON.parse(raw);
      return Array.isArray(value) ? value.filter(function (id) { return typeof id === 'string'; }) : [];
    } catch (error) {
      return [];
    }
  }

  function showMessage(container, text, isError) {
    container.textContent = '';
    var message = document.createElement('p');
    message.className = 'diagram-message' + (isError ? ' diagram-error' : '');
    if (isError) { message.setAttribute('role', 'alert'); }
    message.textContent = text;
    container.appendChild(message);
  }

  function sameOrigin(url) {
    try {
      return new URL(url, window.location.href).origin === window.location.origin;
    } catch (error) {
      return false;
    }
  }

  // Fit the whole diagram with a little margin so shapes do not touch the border.
  function fit(canvas) {
    canvas.zoom('fit-viewport', 'auto');
    canvas.zoom(canvas.zoom() * 0.94);
  }

  function addToolbar(container, canvas, state) {
    var toolbar = document.createElement('div');
    toolbar.className = 'diagram-toolbar';
    [
      ['适应窗口', '缩放流程图以完整显示', function () { state.autoFit = true; fit(canvas); }],
      ['放大', '放大流程图', function () { state.autoFit = false; canvas.zoom(canvas.zoom() * 1.25); }],
      ['缩小', '缩小流程图', function () { state.autoFit = false; canvas.zoom(canvas.zoom() / 1.25); }]
    ].forEach(function (spec) {
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'btn btn-small btn-secondary';
      button.textContent = spec[0];
      button.title = spec[1];
      button.addEventListener('click', spec[2]);
      toolbar.appendChild(button);
    });
    container.appendChild(toolbar);
  }

  function addLegend(container, hasCurrent, hasDone) {
    if (!hasCurrent && !hasDone) { return; }
    var legend = document.createElement('div');
    legend.className = 'diagram-legend';
    legend.setAttribute('aria-hidden', 'true');
    if (hasCurrent) {
      legend.insertAdjacentHTML('beforeend', '<span><span class="swatch swatch-current"></span>当前环节</span>');
    }
    if (hasDone) {
      legend.insertAdjacentHTML('beforeend', '<span><span class="swatch swatch-done"></span>已完成</span>');
    }
    container.appendChild(legend);
  }

  // The spoken summary names steps in Chinese: elements without a name (gateways such as "fork") and
  // boundary events (listeners, never steps of their own) are left out; no element id is ever read out.
  function namedSteps(registry, ids) {
    var seen = {};
    return ids.map(function (id) { return registry.get(id); }).filter(function (element) {
      var business = element && element.businessObject;
      if (!business || !business.name || element.type === 'bpmn:BoundaryEvent') { return false; }
      if (seen[business.name]) { return false; }
      seen[business.name] = true;
      return true;
    }).map(function (element) { return element.businessObject.name; });
  }

  function addSummary(container, registry, current, done) {
    var parts = [];
    var currentNames = namedSteps(registry, current);
    var doneNames = namedSteps(registry, done);
    if (currentNames.length) {
      parts.push('当前环节：' + currentNames.join('、'));
    }
    if (doneNames.length) {
      parts.push('已完成：' + doneNames.join('、'));
    }
    if (!parts.length) { return; }
    var summary = document.createElement('p');
    summary.className = 'sr-only';
    summary.textContent = parts.join('。');
    container.appendChild(summary);
  }

  function render(container) {
    var url = container.getAttribute('data-xml-url');
    if (!url || !sameOrigin(url)) {
      showMessage(container, '流程图地址无效，无法显示流程图。', true);
      return;
    }
    if (typeof window.BpmnJS !== 'function') {
      showMessage(container, '流程图组件未加载（缺少 bpmn-js 文件），请联系系统管理员。', true);
      return;
    }

    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/xml, text/xml' } })
      .then(function (response) {
        if (!response.ok) { throw new Error('HTTP ' + response.status); }
        return response.text();
      })
      .then(function (xml) {
        container.textContent = '';
        var viewer = new window.BpmnJS({
          container: container,
          // Measure and draw labels with the same CJK fonts as the rest of the page.
          textRenderer: {
            defaultStyle: { fontFamily: FONT_FAMILY, fontSize: 12 },
            externalStyle: { fontFamily: FONT_FAMILY, fontSize: 11 }
          }
        });
        return viewer.importXML(xml).then(function () { return viewer; });
      })
      .then(function (viewer) {
        var canvas = viewer.get('canvas');
        var registry = viewer.get('elementRegistry');
        var current = parseIds(container, 'data-current').filter(function (id) { return registry.get(id); });
        var done = parseIds(container, 'data-done').filter(function (id) {
          return registry.get(id) && current.indexOf(id) === -1;
        });
        done.forEach(function (id) { canvas.addMarker(id, 'highlight-done'); });
        current.forEach(function (id) { canvas.addMarker(id, 'highlight-current'); });
        fit(canvas);

        // Keep the whole diagram in view when the window changes size (phone rotated, window
        // resized) until the person pans or zooms it themselves.
        var state = { autoFit: true };
        ['mousedown', 'wheel', 'touchstart'].forEach(function (type) {
          container.addEventListener(type, function (event) {
            if (!event.target.closest('.diagram-toolbar')) { state.autoFit = false; }
          }, { passive: true });
        });

        addToolbar(container, canvas, state);
        addLegend(container, current.length > 0, done.length > 0);
        addSummary(container, registry, current, done);

        var resizeTimer = null;
        window.addEventListener('resize', function () {
          window.clearTimeout(resizeTimer);
          resizeTimer = window.setTimeout(function () {
            canvas.resized();
            if (state.autoFit) { fit(canvas); }
          }, 200);
        });
      })
      .catch(function (error) {
        if (window.console) { window.console.error('diagram.js:', error); }
        showMessage(container, '流程图加载失败，请刷新页面重试；如仍无法显示，请联系系统管理员。', true);
      });
  }

  // A diagram inside a closed <details> (the 流程图 section) is drawn when it is first opened: drawn
  // while hidden it would measure as zero size.
  function init() {
    Array.prototype.slice.call(document.querySelectorAll('.diagram[data-xml-url]')).forEach(function (container) {
      var details = container.closest('details');
      if (details && !details.open) {
        var once = function () {
          if (!details.open) { return; }
          details.removeEventListener('toggle', once);
          render(container);
        };
        details.addEventListener('toggle', once);
        return;
      }
      render(container);
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
}());

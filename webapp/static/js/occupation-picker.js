/*
 * The occupation picker: turns <select data-occupation-picker="URL"> into a searchable select (Tom Select,
 * served from /static/vendor/) over the occupation's code, name and aliases / typical posts. The select
 * keeps its server-rendered options (the page works without JavaScript, and the form validates against
 * them); the aliases come from the JSON endpoint named by the attribute, fetched once per page. At most 50
 * matches are drawn at a time, so it stays fast with the full catalogue (~1,600 entries; bench/
 * bench_occupation_picker.py measures it in Chromium).
 */
(function () {
  "use strict";

  function enhance(select) {
    var picker = new TomSelect(select, {
      valueField: "code",
      labelField: "label",
      searchField: ["code", "name", "aliases"],
      maxOptions: 50,
      refreshThrottle: 60,  // redraw 60 ms after the last keystroke (Tom Select waits 300 ms by default)
      placeholder: "输入职业代码、名称或别名搜索",
      render: {
        option: function (data, escape) {
          var aliases = data.aliases ? '<span class="muted small"> ' + escape(data.aliases) + "</span>" : "";
          return "<div>" + escape(data.label) + aliases + "</div>";
        },
        no_results: function () { return '<div class="no-results">没有匹配的职业（工种）</div>'; }
      }
    });
    // Tom Select points the label at its own search input; the original select only carries the value
    // (and the form still submits it), so it leaves the accessibility tree as well.
    select.style.display = "none";
    select.setAttribute("data-picker-ready", "options");
    fetch(select.getAttribute("data-occupation-picker"),
          { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (entries) {
        entries.forEach(function (entry) {
          if (picker.options[entry.code]) {
            picker.updateOption(entry.code, { code: entry.code, label: entry.label, name: entry.name,
                                              aliases: entry.aliases });
          }
        });
        select.setAttribute("data-picker-ready", "aliases");
      })
      .catch(function () { select.setAttribute("data-picker-ready", "no-aliases"); });
  }

  document.querySelectorAll("select[data-occupation-picker]").forEach(enhance);
})();

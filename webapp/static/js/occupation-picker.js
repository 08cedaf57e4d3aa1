/*
 * The occupation picker: turns <select data-occupation-picker="URL"> into a searchable select (Tom Select,
 * served from /static/vendor/) over the occupation's code, name and aliases / typical posts. The select
 * keeps its server-rendered options (it works without JavaScript and the form validates against them);
 * the search data (aliases) comes from the JSON endpoint named by the attribute, fetched once per page.
 * At most 50 matches are drawn at a time, so it stays fast with the full catalogue (~1,600 entries).
 */
(function () {
  "use strict";

  function enhance(select) {
    var url = select.getAttribute("data-occupation-picker");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; })
      .catch(function () { return []; })
      .then(function (entries) {
        var byCode = {};
        entries.forEach(function (entry) { byCode[entry.code] = entry; });
        var options = Array.prototype.map.call(select.options, function (option) {
          var entry = byCode[option.value] || {};
          return { code: option.value, label: option.text, name: entry.name || option.text,
                   aliases: entry.aliases || "" };
        }).filter(function (option) { return option.code !== ""; });
        var current = select.value;
        while (select.options.length > 1) { select.remove(1); }
        var picker = new TomSelect(select, {
          options: options,
          items: current ? [current] : [],
          valueField: "code",
          labelField: "label",
          searchField: ["code", "name", "aliases"],
          maxOptions: 50,
          allowEmptyOption: true,
          placeholder: "输入职业代码、名称或别名搜索",
          render: {
            option: function (data, escape) {
              var aliases = data.aliases ? '<span class="muted small"> ' + escape(data.aliases) + "</span>" : "";
              return "<div>" + escape(data.label) + aliases + "</div>";
            },
            no_results: function () { return '<div class="no-results">没有匹配的职业（工种）</div>'; }
          }
        });
        picker.on("change", function () { select.dispatchEvent(new Event("change", { bubbles: true })); });
      });
  }

  document.querySelectorAll("select[data-occupation-picker]").forEach(enhance);
})();

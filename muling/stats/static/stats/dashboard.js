/* Draws the dashboard's charts with Apache ECharts from the JSON the page carries (#stats-charts):
   a trend line, a category bar chart, and the grids coloured by the chosen indicator. Every label is
   translated on the server; clicking a grid opens that grid's numbers. */
(function () {
  "use strict";
  var source = document.getElementById("stats-charts");
  if (!source || !window.echarts) return;
  var data = JSON.parse(source.textContent);
  var charts = [];

  function mount(name) {
    var el = document.querySelector('[data-chart="' + name + '"]');
    if (!el) return null;
    var chart = echarts.init(el, null, { renderer: "svg" });
    charts.push(chart);
    return chart;
  }

  var trend = data.trend && mount("trend");
  if (trend) {
    trend.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: 40, top: 32, bottom: 28 },
      xAxis: { type: "category", data: data.trend.labels },
      yAxis: [{ type: "value", minInterval: 1 }, { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }],
      series: data.trend.series.map(function (s) {
        return { name: s.name, type: s.kind === "rate" ? "line" : "bar", yAxisIndex: s.kind === "rate" ? 1 : 0,
                 data: s.values, connectNulls: false, smooth: s.kind === "rate" };
      })
    });
  }

  var cats = data.categories && data.categories.labels.length && mount("categories");
  if (cats) {
    cats.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 110, right: 20, top: 10, bottom: 20 },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.categories.labels.slice().reverse() },
      series: [{ name: data.categories.name, type: "bar", data: data.categories.values.slice().reverse(), itemStyle: { color: "#b3261e" } }]
    });
  }

  var map = data.map && mount("map");
  if (map) {
    echarts.registerMap("muling-grids", data.map.geojson);
    var titles = {}, displays = {};
    var numbers = data.map.values.filter(function (v) { return v.value !== null; }).map(function (v) { return v.value; });
    data.map.values.forEach(function (v) { titles[v.name] = v.title; displays[v.name] = v.display; });
    var colours = data.map.higher_is_better ? ["#f4c7c3", "#1a7f37"] : ["#1a7f37", "#f4c7c3"];
    map.setOption({
      tooltip: { trigger: "item", formatter: function (p) { var esc = echarts.format.encodeHTML; return esc(titles[p.name]) + "<br>" + esc(data.map.indicator) + "：" + esc(displays[p.name] || "—"); } },
      visualMap: { min: numbers.length ? Math.min.apply(null, numbers) : 0, max: numbers.length ? Math.max.apply(null, numbers) : 100,
                   calculable: true, inRange: { color: colours }, left: 0, bottom: 0 },
      series: [{ type: "map", map: "muling-grids", roam: true, data: data.map.values,
                 itemStyle: { areaColor: "#eeeeee", borderColor: "#888888" },  /* grids without a value */
                 label: { show: true, formatter: function (p) { return titles[p.name] || p.name; } } }]
    });
    map.on("click", function (p) { if (data.map.links[p.name]) window.location.href = data.map.links[p.name]; });
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();

// ServicePact: the assessment dashboard's charts (Apache ECharts, vendored).
// The numbers come from the page's <script type="application/json" id="dashboard-data">
// (the same numbers as the tables beside each chart). Without ECharts, or without
// data, the tables and the "暂无数据" message stay as the server rendered them.
(function () {
  "use strict";

  function readData() {
    var node = document.getElementById("dashboard-data");
    if (!node) { return null; }
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  function hasValues(values) {
    if (!values || !values.length) { return false; }
    for (var i = 0; i < values.length; i++) {
      if (values[i] !== null && values[i] !== 0) { return true; }
    }
    return false;
  }

  function showEmpty(el, text) {
    if (!el.querySelector(".chart-empty")) {
      var p = document.createElement("p");
      p.className = "muted chart-empty";
      p.textContent = text;
      el.appendChild(p);
    }
  }

  var grid = { left: 12, right: 24, top: 36, bottom: 12, containLabel: true };
  var tooltip = { trigger: "axis" };

  var builders = {
    grades: function (d) {
      if (!hasValues(d.values)) { return null; }
      return {
        tooltip: tooltip, grid: grid,
        xAxis: { type: "category", data: d.labels },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ name: d.name, type: "bar", data: d.values, label: { show: true, position: "top" } }]
      };
    },
    ranking: function (d) {
      if (!d.labels || !d.labels.length) { return null; }
      return {
        tooltip: tooltip, grid: grid,
        xAxis: { type: "value", min: 0, max: 100 },
        yAxis: { type: "category", data: d.labels, inverse: true, axisLabel: { width: 220, overflow: "truncate" } },
        series: [{ name: d.name, type: "bar", data: d.values, label: { show: true, position: "right" } }]
      };
    },
    trend: function (d) {
      if (!d.labels || !d.labels.length) { return null; }
      return {
        tooltip: tooltip, grid: grid,
        legend: { data: [d.name, d.count_name] },
        xAxis: { type: "category", data: d.labels },
        yAxis: [
          { type: "value", min: 0, max: 100, name: d.name },
          { type: "value", minInterval: 1, name: d.count_name }
        ],
        series: [
          { name: d.name, type: "line", data: d.values, connectNulls: true, label: { show: true } },
          { name: d.count_name, type: "bar", yAxisIndex: 1, data: d.counts, barMaxWidth: 32, itemStyle: { opacity: 0.4 } }
        ]
      };
    },
    satisfaction: function (d) {
      if (!d.labels || !d.labels.length) { return null; }
      return {
        tooltip: tooltip, grid: grid,
        xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0, rotate: d.labels.length > 6 ? 30 : 0 } },
        yAxis: { type: "value", min: 0, max: 100 },
        series: [{ name: d.name, type: "bar", data: d.values, label: { show: true, position: "top" } }]
      };
    },
    work: function (d) {
      if (!d.labels || !d.labels.length) { return null; }
      return {
        tooltip: tooltip, grid: grid,
        legend: { data: [d.extra_name, d.residual_name] },
        xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0, rotate: d.labels.length > 6 ? 30 : 0 } },
        yAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
        series: [
          { name: d.extra_name, type: "bar", data: d.extra },
          { name: d.residual_name, type: "bar", data: d.residual }
        ]
      };
    }
  };

  function draw() {
    var data = readData();
    if (!data) { return; }
    var charts = [];
    var nodes = document.querySelectorAll(".chart[data-chart]");
    for (var i = 0; i < nodes.length; i++) {
      var el = nodes[i];
      var key = el.getAttribute("data-chart");
      var build = builders[key];
      var option = build && data[key] ? build(data[key]) : null;
      if (!option) { showEmpty(el, data.empty || "暂无数据"); continue; }
      if (typeof window.echarts === "undefined") { continue; }
      var empty = el.querySelector(".chart-empty");
      if (empty) { empty.remove(); }
      el.classList.add("chart-on");
      if (key === "ranking") {
        el.style.height = Math.max(320, 30 * data[key].labels.length + 60) + "px";
      }
      var chart = window.echarts.init(el);
      chart.setOption(option);
      charts.push(chart);
    }
    window.addEventListener("resize", function () {
      for (var j = 0; j < charts.length; j++) { charts[j].resize(); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();

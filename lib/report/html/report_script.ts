/**
 * The HTML report's script, run by the browser: draws each chart with uPlot from the
 * data embedded in the page, keeps them as wide as their boxes, and marks the page
 * once every chart is painted (`data-charts-drawn`, and `data-series-painted` for the
 * charts where a series' colour reached the canvas), with every script error
 * counted in `data-report-errors`, so a browser test can read the outcome from the DOM.
 *
 * @module
 */

/** The script (plain browser JavaScript; uPlot is loaded before it). */
export const REPORT_SCRIPT = `
(function () {
  "use strict";
  var body = document.body;
  var errors = 0;
  function countError() { errors++; body.setAttribute("data-report-errors", String(errors)); }
  window.addEventListener("error", countError);
  // A blocked fetch or inline code (the page allows none) counts as an error too.
  document.addEventListener("securitypolicyviolation", countError);
  var consoleError = console.error;
  console.error = function () { countError(); consoleError.apply(console, arguments); };
  body.setAttribute("data-report-errors", "0");
  try {
    var data = JSON.parse(document.getElementById("report-data").textContent);
    var charts = [];
    var specs = data.charts;
    for (var i = 0; i < specs.length; i++) charts.push(draw(specs[i]));
    // uPlot paints on the next frame: look at the canvases after it.
    requestAnimationFrame(function () {
      setTimeout(function () {
        var painted = 0;
        var unpainted = [];
        for (var j = 0; j < charts.length; j++) {
          if (seriesPainted(charts[j].plot, specs[j])) painted++;
          else unpainted.push(specs[j].id);
        }
        body.setAttribute("data-series-painted", String(painted));
        body.setAttribute("data-unpainted", unpainted.join(","));
        body.setAttribute("data-charts-drawn", String(charts.length));
      }, 0);
    });
    var resizeTimer = 0;
    window.addEventListener("resize", function () {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(function () {
        for (var k = 0; k < charts.length; k++) charts[k].plot.setSize(sizeOf(charts[k].box));
      }, 100);
    });
  } catch (error) {
    countError();
    body.setAttribute("data-report-failure", String(error && error.message || error));
  }

  function sizeOf(box) {
    return { width: Math.max(260, box.clientWidth - 12), height: 220 };
  }

  function draw(spec) {
    var box = document.getElementById(spec.id);
    var scales = { x: { time: false } };
    var axes = [{ label: spec.xLabel }];
    var series = [{ label: spec.xLabel }];
    for (var s = 0; s < spec.series.length; s++) {
      var one = spec.series[s];
      var scale = one.scale || "y";
      if (!scales[scale]) scales[scale] = {};
      series.push({ label: one.label, stroke: one.color, width: 2, scale: scale });
    }
    axes.push({ label: spec.yLabel, scale: "y" });
    if (scales.y2) axes.push({ label: spec.y2Label, scale: "y2", side: 1, grid: { show: false } });
    if (spec.xLog) axes[0].values = function (u, ticks) { return ticks.map(nines); };
    var size = sizeOf(box);
    var plot = new uPlot({
      width: size.width, height: size.height, scales: scales, series: series, axes: axes,
      legend: { show: true }, cursor: { drag: { x: false, y: false } }
    }, spec.data, box);
    return { plot: plot, box: box };
  }

  function nines(x) {
    var percentile = 100 - 100 / Math.pow(10, x);
    return (Math.round(percentile * 1000) / 1000) + "%";
  }

  // Whether a series' colour reached the canvas (one may hide another with equal values).
  function seriesPainted(plot, spec) {
    var canvas = plot.root.querySelector("canvas");
    var pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    var colours = spec.series.map(function (one) {
      return [1, 3, 5].map(function (at) { return parseInt(one.color.slice(at, at + 2), 16); });
    });
    for (var p = 0; p < pixels.length; p += 4) {
      if (pixels[p + 3] < 200) continue;
      for (var c = 0; c < colours.length; c++) {
        var rgb = colours[c];
        if (Math.abs(pixels[p] - rgb[0]) < 8 && Math.abs(pixels[p + 1] - rgb[1]) < 8 && Math.abs(pixels[p + 2] - rgb[2]) < 8) return true;
      }
    }
    return false;
  }
})();
`;

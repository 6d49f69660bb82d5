/**
 * The HTML report: self-contained and safe as text, and drawn by a real headless
 * Chromium (Debian's `chromium`) with the network cut off: no script error, every
 * chart painted. The browser test's screenshot is the one README shows
 * (`IOTLOAD_WRITE_DOCS=1` writes it to docs/report.png).
 *
 * @module
 */
import assert from "node:assert/strict";
import { renderHtmlReport } from "../../lib/report/html/html_report.ts";
import { findChromium, runChromium } from "../helpers/chromium.ts";
import { runCli } from "../helpers/run_cli.ts";
import { fixtureSummary } from "../helpers/summary_fixture.ts";

const IN_CI = Deno.env.get("CI") === "true";
const HAVE_CHROMIUM = findChromium() !== undefined;
if (IN_CI && !HAVE_CHROMIUM) {
  throw new Error("chromium is required in CI (apt-get install -y chromium)");
}
if (!HAVE_CHROMIUM) {
  console.error("note: chromium not installed; the report's browser test is skipped");
}
const DOCS_SCREENSHOT = new URL("../../docs/report.png", import.meta.url).pathname;

Deno.test("renderHtmlReport() inlines everything it needs and escapes what the run holds", () => {
  const summary = fixtureSummary({
    config: { fleets: [{ name: "</script><script>alert(1)</script>", qos: 1 }] },
    errors: { publishFailed: 2 },
  });
  summary.errorSamples.push("publishFailed: <b>refused</b> & closed");
  const html = renderHtmlReport(summary);
  assert.ok(html.startsWith("<!doctype html>"));
  assert.doesNotMatch(html, /\s(src|href)=["']?(https?:)?\/\//i, "nothing is fetched");
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  assert.match(html, /publishFailed: &lt;b&gt;refused&lt;\/b&gt; &amp; closed/);
  assert.doesNotMatch(html, /<script>alert\(1\)/);
  assert.equal(html.match(/<\/script>/g)?.length, 3, "only the page's own three scripts close");
  assert.match(html, /<div id="chart-distribution">/);
});

Deno.test({
  name: "the HTML report of a real run draws every chart in headless Chromium, without an error",
  ignore: !HAVE_CHROMIUM,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "iotload-report-" });
    try {
      const run = await runCli([
        "run",
        "--sensors",
        "50",
        "--interval",
        "250ms",
        "--duration",
        "6s",
        "--qos",
        "1",
        "--threshold",
        "lost==0",
        "--threshold",
        "e2e.p99<2s",
        "--html",
        `${dir}/report.html`,
        "--out",
        `${dir}/summary.json`,
      ]);
      assert.equal(run.code, 0, run.stderr);
      // iotload report writes the same page from the saved summary.
      const again = await runCli(["report", `${dir}/summary.json`, "--html", `${dir}/again.html`]);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(
        await Deno.readTextFile(`${dir}/again.html`),
        await Deno.readTextFile(`${dir}/report.html`),
      );
      const url = `file://${dir}/report.html`;
      const { stdout: dom, stderr } = await runChromium(url, ["--dump-dom"]);
      const body = /<body([^>]*)>/.exec(dom)?.[1] ?? "";
      const attribute = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(body)?.[1];
      assert.equal(attribute("data-report-errors"), "0", stderr);
      assert.equal(attribute("data-charts-drawn"), "6", body);
      assert.equal(
        attribute("data-series-painted"),
        "6",
        `unpainted: ${attribute("data-unpainted")}`,
      );
      assert.doesNotMatch(stderr, /Uncaught|Refused to/);
      assert.match(dom, /PASS: 2 thresholds/);
      const screenshot = `${dir}/report.png`;
      await runChromium(url, [`--screenshot=${screenshot}`, "--window-size=1200,2400"]);
      const png = await Deno.readFile(screenshot);
      assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], "a PNG");
      // A blank 1200x2400 page compresses to a few kB; six charts and tables do not.
      assert.ok(png.length > 80_000, `${png.length} bytes`);
      if (Deno.env.get("IOTLOAD_WRITE_DOCS") === "1") {
        await Deno.copyFile(screenshot, DOCS_SCREENSHOT);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

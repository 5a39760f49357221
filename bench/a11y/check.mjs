// Accessibility check: axe-core (WCAG 2.1 A and AA rules) in headless Chromium on every public
// page of Samenstad and every staff page, logged in as the demo roles.
//
// It starts the demo itself (a fresh SQLite database in a temporary directory), asks
// pages.py which pages exist, visits each (and the main forms again after an empty submit,
// to check their error messages), prints a table and exits 1 on any serious or critical
// violation (or a form that shows no error message after an empty submit). Run it with `make a11y`; Chromium comes from the system (/usr/bin/chromium).
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = require("axe-core").source;
const axeVersion = require("axe-core/package.json").version;
const playwrightVersion = require("playwright-core/package.json").version;

function machine() {
  const load = os.loadavg().map((x) => x.toFixed(2)).join(" ");
  return `${new Date().toISOString()}, ${os.cpus().length} CPUs, load average ${load}`;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..", "..");
const bin = path.join(root, ".venv", "bin");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const BLOCKING = new Set(["serious", "critical"]);
const IMPACTS = ["critical", "serious", "moderate", "minor"];
const PASSWORD = process.env.SAMEN_DEMO_PASSWORD || "samen-demo";
// Forms checked a second time after submitting them empty: their error messages.
const FORMS = [
  "/inloggen/",
  "/samenstad/signaal/",
  "/samenstad/meedoen/",
  "/samenstad/samenwerkingen/meedoen/",
  "/samenstad/nieuwsbrief/",
  "/samenstad/vrijwilligers/aanmelden/",
];

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(url, seconds) {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${seconds} s`);
}

function startDemo(tmp) {
  const env = {
    ...process.env,
    SAMEN_DEMO: "1",
    DATABASE_URL: `sqlite:///${path.join(tmp, "samen.sqlite3")}`,
    LOG_LEVEL: "ERROR",
    EMAIL_BACKEND: "django.core.mail.backends.locmem.EmailBackend",
  };
  const quiet = { env, cwd: root, stdio: ["ignore", "pipe", "pipe"] };
  execFileSync(path.join(bin, "samen"), ["migrate", "--noinput", "-v0"], quiet);
  execFileSync(path.join(bin, "samen"), ["demo"], quiet);
  const pages = JSON.parse(
    execFileSync(path.join(bin, "python"), [path.join(here, "pages.py")], quiet),
  );
  return { env, pages };
}

async function logIn(browser, base, username) {
  const context = await browser.newContext({ locale: "nl-NL" });
  if (username === null) return context;
  const page = await context.newPage();
  await page.goto(`${base}/inloggen/`);
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click("main button[type=submit]")]);
  if (new URL(page.url()).pathname.startsWith("/inloggen/")) {
    throw new Error(`could not log in as ${username}`);
  }
  await page.close();
  return context;
}

async function runAxe(page, tags) {
  return page.evaluate(
    (values) =>
      window.axe.run(document, { runOnly: { type: "tag", values }, resultTypes: ["violations"] }),
    tags,
  );
}

// Error messages a form shows after a submit (Django's error list, the error summary).
const ERRORS = '.errorlist li, [aria-invalid="true"], main .alert--danger li';

async function check(context, base, entry, submitEmpty) {
  const page = await context.newPage();
  try {
    const response = await page.goto(base + entry.url, { waitUntil: "load" });
    if (submitEmpty) {
      await Promise.all([
        page.waitForNavigation(),
        page.evaluate(() => {
          const form = document.querySelector('main form[method="post"]');
          form.noValidate = true;
          form.requestSubmit();
        }),
      ]);
    }
    await page.evaluate(axeSource);
    const wcag = await runAxe(page, TAGS);
    // Best practices beyond WCAG (landmarks, heading order): reported, not blocking.
    const advice = await runAxe(page, ["best-practice"]);
    const errors = submitEmpty ? await page.locator(ERRORS).count() : null;
    return { status: response.status(), violations: wcag.violations, advice: advice.violations, errors };
  } finally {
    await page.close();
  }
}

function summarise(label, role, { status, violations, advice, errors }) {
  const counts = Object.fromEntries(IMPACTS.map((i) => [i, 0]));
  for (const v of violations) counts[v.impact] += 1;
  const rules = [...violations, ...advice.map((v) => ({ ...v, impact: "advice" }))];
  return {
    label,
    role: role ?? "-",
    status,
    ...counts,
    advice: advice.length,
    errors: errors ?? "",
    rules: rules.map((v) => `${v.id} (${v.impact}, ${v.nodes.length})`).join(", "),
    violations,
  };
}

function printTable(rows) {
  const header = ["page", "role", "HTTP", ...IMPACTS, "advice", "errors shown", "rules"];
  const lines = rows.map((r) => [
    r.label,
    r.role,
    r.status,
    ...IMPACTS.map((i) => r[i]),
    r.advice,
    r.errors,
    r.rules,
  ]);
  const widths = header.map((h, i) =>
    Math.min(60, Math.max(h.length, ...lines.map((l) => String(l[i]).length))),
  );
  const fmt = (cells) =>
    cells.map((c, i) => (i === cells.length - 1 ? String(c) : String(c).padEnd(widths[i]))).join("  ");
  console.log(fmt(header));
  for (const line of lines) console.log(fmt(line));
}

function printDetails(rows) {
  for (const row of rows) {
    for (const v of row.violations.filter((x) => BLOCKING.has(x.impact))) {
      console.log(`\n${row.label} (${row.role}): ${v.id} [${v.impact}] ${v.help}`);
      for (const node of v.nodes.slice(0, 5)) {
        console.log(`  ${node.target.join(" ")}: ${node.failureSummary.split("\n").slice(1).join("; ")}`);
      }
    }
  }
}

async function main() {
  console.log(`start: ${machine()}; Node ${process.version}, playwright-core ${playwrightVersion}`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "samen-a11y-"));
  let server;
  let browser;
  try {
    const { env, pages } = startDemo(tmp);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    server = spawn(
      path.join(bin, "samen"),
      ["runserver", `127.0.0.1:${port}`, "--noreload", "--insecure"],
      { env, cwd: root, stdio: ["ignore", "ignore", "pipe"] },
    );
    await waitFor(`${base}/healthz`, 60);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
    });
    const contexts = new Map();
    const contextFor = async (role) => {
      if (!contexts.has(role)) contexts.set(role, await logIn(browser, base, role));
      return contexts.get(role);
    };
    const rows = [];
    for (const entry of pages.pages) {
      const result = await check(await contextFor(entry.role), base, entry, false);
      rows.push(summarise(entry.url, entry.role, result));
    }
    for (const url of FORMS) {
      const result = await check(await contextFor(null), base, { url }, true);
      rows.push(summarise(`${url} (empty submit)`, null, result));
    }
    printTable(rows);
    printDetails(rows);
    const blocking = rows.reduce((n, r) => n + r.critical + r.serious, 0);
    const total = rows.reduce((n, r) => n + r.violations.length, 0);
    const advice = rows.reduce((n, r) => n + r.advice, 0);
    const silent = rows.filter((r) => r.errors === 0).map((r) => r.label);
    console.log(
      `\n${rows.length} page states checked (${pages.pages.length} pages, ${FORMS.length} forms ` +
        `after an empty submit) with axe-core ${axeVersion}, tags ${TAGS.join(", ")}; ` +
        `Chromium ${browser.version()}.`,
    );
    for (const s of pages.skipped) console.log(`not checked: ${s.name}: ${s.why}`);
    for (const label of silent) console.log(`no error message shown: ${label}`);
    console.log(`end: ${machine()}`);
    console.log(
      `${blocking} serious or critical violations, ${total} WCAG violations in all; ` +
        `${advice} best-practice findings (not blocking).`,
    );
    process.exitCode = blocking > 0 || silent.length > 0 ? 1 : 0;
  } finally {
    if (browser) await browser.close();
    if (server) server.kill();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});

/**
 * The dashboard over plain HTTP: read-only, its security headers, the optional bearer token (header,
 * or the session /login sets), secrets never rendered, clear 404s, and `tollgate serve` itself.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { PolicyLoader } from "../../src/policy/loader.ts";
import { buildDecisionHistory, type DecisionHistory } from "../audit/history-fixture.ts";
import { git } from "../support/gitops-repo.ts";
import { runCli } from "../support/run-cli.ts";
import { get, type Served, serveRepository, startServeCli } from "./support.ts";

const TOKEN = "s3cret-dashboard-token-for-tests";
let history: DecisionHistory;
let open: Served;
let guarded: Served;

before(async () => {
  history = await buildDecisionHistory(new PolicyLoader());
  open = await serveRepository(history.dir);
  guarded = await serveRepository(history.dir, { token: TOKEN });
});
after(async () => {
  await open?.close();
  await guarded?.close();
  await history?.cleanup();
});

describe("the dashboard over HTTP", () => {
  it("is read-only and sends its security headers; pages are self-contained", async () => {
    const page = await get(`${open.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-security-policy") ?? "", /default-src 'none'; script-src 'self'/);
    assert.equal(page.headers.get("x-frame-options"), "DENY");
    assert.equal(page.headers.get("cache-control"), "no-store");
    const assets = [...page.text.matchAll(/(?:src|href)="([^"#]+)"/g)].map((m) => m[1]!);
    assert.ok(
      assets.every((a) => a.startsWith("/") || a === "data:,"),
      `only its own paths: ${assets.filter((a) => !a.startsWith("/")).join(", ")}`,
    );
    for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
      const response = await fetch(`${open.url}/`, { method });
      assert.equal(response.status, 405, method);
      assert.equal(response.headers.get("allow"), "GET, HEAD");
    }
    const fragment = await get(`${open.url}/?env=dev`, { "x-tollgate-fragment": "1" });
    const body = JSON.parse(fragment.text) as { title: string; main: string; head: string };
    assert.equal(body.head, git(history.dir, "rev-parse", "main").trim());
    assert.match(body.main, /data-table="fleet"/);
    assert.doesNotMatch(body.main, /<html/);
  });

  it("answers what is not there with a 404 that says why, and redirects an evidence digest to its decision", async () => {
    const cases: [string, RegExp][] = [
      ["/services/no-such-service", /no service no-such-service/],
      ["/rollouts/dev/no-such-service", /no decisions about dev\/no-such-service/],
      ["/rollouts/dev/support-agent/9", /has no rollout 9; rollouts in this history: 1, 2/],
      ["/decisions/0123456789abcdef", /no commit 0123456789abcdef/],
      [`/decisions/${git(history.dir, "rev-list", "--max-parents=0", "main").trim()}`, /is not a tollgate decision/],
      ["/../../etc/passwd", /nothing at/],
    ];
    for (const [path, message] of cases) {
      const page = await get(`${open.url}${path}`);
      assert.equal(page.status, 404, path);
      assert.match(page.text, message, path);
    }
    const rollback = history.decisions.find((d) => d.action === "rollback")!;
    const evidence = /Tollgate-Evidence: (\S+)/.exec(
      git(history.dir, "show", "-s", "--format=%B", rollback.commit),
    )![1]!;
    const redirect = await get(`${open.url}/decisions/by-evidence/${evidence}`);
    assert.equal(redirect.status, 303);
    assert.equal(redirect.headers.get("location"), `/decisions/${rollback.commit}`);
  });

  it("with a token: 401 and a sign-in form without it; the bearer header or the session cookie from /login let in; the token is never rendered", async () => {
    const denied = await get(`${guarded.url}/services/support-agent`);
    assert.equal(denied.status, 401);
    assert.equal(denied.headers.get("www-authenticate"), 'Bearer realm="tollgate"');
    assert.match(denied.text, /<form method="post" action="\/login"/);
    assert.doesNotMatch(denied.text, /support-agent<\/h1>/);
    assert.equal((await get(`${guarded.url}/events`)).status, 401);
    assert.equal((await get(`${guarded.url}/`, { authorization: "Bearer wrong" })).status, 401);
    assert.equal((await get(`${guarded.url}/assets/dashboard.css`)).status, 200, "the sign-in page's style");

    const bearer = await get(`${guarded.url}/services/support-agent`, { authorization: `Bearer ${TOKEN}` });
    assert.equal(bearer.status, 200);

    const login = (token: string, next: string) =>
      fetch(`${guarded.url}/login`, {
        method: "POST",
        body: new URLSearchParams({ token, next }),
        redirect: "manual",
      });
    const wrong = await login("nope", "/");
    assert.equal(wrong.status, 401);
    assert.match(await wrong.text(), /That token is not right/);
    const right = await login(TOKEN, "//evil.example.com/");
    assert.equal(right.status, 303);
    assert.equal(right.headers.get("location"), "/", "never sent to another host");
    const cookie = right.headers.get("set-cookie")!;
    assert.match(cookie, /^tollgate_dashboard=[0-9a-f]{64}; Path=\/; HttpOnly; SameSite=Strict$/);
    assert.ok(!cookie.includes(TOKEN));
    const session = cookie.split(";")[0]!;
    const pages = ["/", "/services/support-agent", "/rollouts/dev/support-agent/1"];
    for (const path of pages) {
      const page = await get(`${guarded.url}${path}`, { cookie: session });
      assert.equal(page.status, 200, path);
      assert.ok(!page.text.includes(TOKEN), `${path} does not show the token`);
    }
    assert.equal((await get(`${guarded.url}/`, { cookie: "tollgate_dashboard=00" })).status, 401);
  });

  it("`tollgate serve` serves the repository until stopped, and says where; a bad --listen is refused", async () => {
    const served = await startServeCli(["--repo", history.dir, "--listen", "127.0.0.1:0"], {
      ...process.env,
      TOLLGATE_GIT_TOKEN: "git-secret-never-shown",
    });
    try {
      assert.match(served.output(), new RegExp(`dashboard of main in ${history.dir} at http://127\\.0\\.0\\.1:\\d+/`));
      const page = await get(served.url);
      assert.equal(page.status, 200);
      assert.match(page.text, /data-service="support-agent"/);
      assert.ok(!page.text.includes("git-secret-never-shown"));
    } finally {
      assert.equal(await served.stop(), 0, "stops cleanly");
    }
    const bad = await runCli(["serve", "--repo", history.dir, "--listen", "localhost:99999"]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--listen localhost:99999: expected PORT or HOST:PORT/);
  });
});

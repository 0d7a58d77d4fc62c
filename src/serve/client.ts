/**
 * The dashboard's one script, served as /assets/dashboard.js (same origin; the CSP allows nothing
 * else). It keeps the page live without reloading it: on a new commit (server-sent event `head`), or
 * a reconciler tick about the service shown (`tick`), it fetches the page's content again and swaps it
 * in, saying so in a polite live region. Without EventSource it polls. The overview's filters apply as
 * they change. Without the script every page still works: filters submit as a form, pages show the
 * history as of their load.
 */
export const DASHBOARD_JS = `"use strict";
(() => {
  const root = document.documentElement;
  const content = document.getElementById("content");
  const status = document.getElementById("live-status");
  if (!content || !status) return;
  let timer = 0;
  let running = false;
  let again = "";

  const say = (text) => { status.textContent = text; };
  const clockNow = () => new Date().toISOString().slice(11, 19) + " UTC";

  async function refresh(reason) {
    if (running) { again = reason; return; }
    running = true;
    try {
      const response = await fetch(location.href, { headers: { "x-tollgate-fragment": "1" }, credentials: "same-origin", cache: "no-store" });
      if (!response.ok) { say("Could not update (" + response.status + "); showing the page as loaded."); return; }
      const page = await response.json();
      const focused = document.activeElement && document.activeElement.id;
      content.innerHTML = page.main;
      document.title = page.title;
      root.dataset.head = page.head || "";
      const head = document.getElementById("head-commit");
      if (head) head.textContent = (page.head || "").slice(0, 12);
      if (focused) { const target = document.getElementById(focused); if (target) target.focus(); }
      say("Updated at " + clockNow() + ": " + reason + ".");
      content.dispatchEvent(new CustomEvent("tollgate:updated", { bubbles: true, detail: { reason } }));
    } catch (error) {
      say("Could not update: " + error.message);
    } finally {
      running = false;
      if (again) { const reason = again; again = ""; schedule(reason); }
    }
  }

  function schedule(reason, delay) {
    clearTimeout(timer);
    timer = setTimeout(() => refresh(reason), delay === undefined ? 150 : delay);
  }

  if (typeof EventSource === "function") {
    const events = new EventSource("/events");
    events.addEventListener("open", () => say("Live: following the branch."));
    events.addEventListener("head", (event) => {
      const data = JSON.parse(event.data);
      if (data.head && data.head !== root.dataset.head) schedule("new commit " + data.head.slice(0, 12));
    });
    events.addEventListener("tick", (event) => {
      const data = JSON.parse(event.data);
      if (root.dataset.live && data.keys.indexOf(root.dataset.live) >= 0) schedule("reconciler tick");
    });
    events.addEventListener("error", () => say("Live updates interrupted; reconnecting."));
  } else {
    setInterval(() => refresh("polled"), 5000);
  }

  const form = document.getElementById("filters");
  if (form) {
    const apply = (delay) => {
      const params = new URLSearchParams();
      for (const [name, value] of new FormData(form)) if (String(value).trim() !== "") params.set(name, String(value).trim());
      const query = params.toString();
      history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
      schedule("filter applied", delay);
    };
    form.addEventListener("change", () => apply(0));
    form.addEventListener("input", (event) => { if (event.target && event.target.type === "search") apply(250); });
    form.addEventListener("submit", (event) => { event.preventDefault(); apply(0); });
  }
})();
`;

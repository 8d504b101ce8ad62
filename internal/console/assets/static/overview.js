// Overview: this app's counts (timd_control/list_objects,
// timd_callback/list_deliveries), the apps served (timd_apps/list) and the
// request counters of /metrics.
"use strict";
(() => {
  if (!TIMD.creds()) return;
  const { call, el, fill } = TIMD;
  document.getElementById("app-id").textContent = TIMD.creds().sdkappid;

  async function counts() {
    const hint = document.getElementById("counts-hint");
    try {
      for (const [type, id] of [["Account", "count-accounts"], ["Group", "count-groups"]]) {
        const r = await TIMD.listObjects(type, {}, 100000);
        document.getElementById(id).textContent = r.objects.length + (r.more ? "+" : "");
      }
    } catch (e) {
      hint.textContent = `Accounts and groups are counted with timd_control/list_objects: ${e.message}.`;
    }
    const states = [];
    for (const st of ["pending", "delivered", "dead"]) {
      try {
        states.push(await countEvents(st));
      } catch (e) {
        states.push("?");
      }
    }
    document.getElementById("count-events").textContent = states.join(" / ");
  }
  async function countEvents(state) {
    let n = 0, after = 0;
    for (;;) {
      const r = await call("timd_callback", "list_deliveries", { State: state, Limit: 1000, AfterId: after });
      n += r.Events.length;
      if (!r.Next || n >= 100000) return n;
      after = r.Next;
    }
  }

  async function apps() {
    try {
      const r = await call("timd_apps", "list", {});
      fill(document.getElementById("apps"), r.Apps.map(a => el("tr", {},
        el("td", {}, a.SdkAppId), el("td", {}, a.Configured ? "configured" : "runtime"), el("td", {}, (a.Admins || []).join(", ")),
        el("td", {}, a.Edition), el("td", {}, a.CallbackURL || "none"), el("td", {}, a.Control ? "on" : "off"))));
    } catch (e) {
      document.getElementById("apps-hint").textContent = `timd_apps/list: ${e.message}.`;
    }
  }

  // metrics parses timd_requests_total{service,command,code} N lines.
  let last = null, lastAt = 0;
  async function metrics() {
    const text = await (await fetch("/metrics")).text();
    const now = Date.now(), cur = new Map();
    const re = /^timd_requests_total\{([^}]*)\} ([0-9.e+]+)$/gm;
    for (const m of text.matchAll(re)) {
      const labels = Object.fromEntries([...m[1].matchAll(/(\w+)="([^"]*)"/g)].map(x => [x[1], x[2]]));
      cur.set(`${labels.service}/${labels.command}/${labels.code}`, { ...labels, n: Number(m[2]) });
    }
    const rows = [...cur.entries()].sort((a, b) => b[1].n - a[1].n).map(([k, v]) => {
      const prev = last && last.get(k);
      const rate = last ? ((v.n - (prev ? prev.n : 0)) * 1000 / (now - lastAt)).toFixed(2) : "…";
      return el("tr", {}, el("td", {}, v.service), el("td", {}, v.command), el("td", {}, v.code),
        el("td", { class: "num" }, v.n), el("td", { class: "num" }, rate));
    });
    fill(document.getElementById("rates"), rows, "no requests yet");
    last = cur; lastAt = now;
  }

  TIMD.guard(async () => { await Promise.all([counts(), apps(), metrics()]); });
  setInterval(() => TIMD.guard(metrics), 5000);
})();

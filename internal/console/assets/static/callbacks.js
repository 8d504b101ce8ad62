// Callbacks: the delivery log live (timd_callback/list_deliveries, replay,
// replay_dead) and the built-in sink's captures (timd_capture/list).
"use strict";
(() => {
  if (!TIMD.creds()) return;
  const { call, el, fill, guard } = TIMD;
  const open = new Set(); // rows whose detail is shown, kept across refreshes

  function filter() {
    const f = {};
    const state = document.getElementById("state").value, cmd = document.getElementById("command").value.trim();
    const key = document.getElementById("key").value.trim();
    if (state) f.State = state;
    if (cmd) f.CallbackCommand = cmd;
    if (key) f.Key = key;
    return f;
  }

  // The live view reads on from the oldest event (capture) it shows, so a
  // refresh is one call however long the log; a new filter reads anew.
  let eventsFrom = 0, capturesFrom = 0, refiltered = false;

  // events reads the log's newest events: every page, the last 500 kept.
  async function events(quiet) {
    if (refiltered) { eventsFrom = 0; refiltered = false; }
    let all = [], after = eventsFrom;
    for (;;) {
      const r = await call("timd_callback", "list_deliveries", Object.assign({ Limit: 1000, AfterId: after }, filter()), null, quiet);
      all = all.concat(r.Events).slice(-500);
      if (!r.Next) break;
      after = r.Next;
    }
    if (all.length) eventsFrom = all[0].Id - 1;
    return all.reverse();
  }

  function reply(ev) {
    if (ev.State === "delivered" && !ev.LastStatus && !ev.LastError) return "captured";
    if (!ev.Attempts) return "not sent yet";
    // LastError names the status and the reply's start itself ("HTTP 500: ...").
    const status = "HTTP " + ev.LastStatus;
    if (!ev.LastStatus || (ev.LastError || "").startsWith(status)) return ev.LastError || status;
    return ev.LastError ? `${status}: ${ev.LastError}` : status;
  }

  function rows(ev) {
    const id = "ev" + ev.Id;
    const out = [el("tr", { "data-event": ev.Id, "data-command": ev.CallbackCommand, "data-state": ev.State },
      el("td", {}, ev.Id), el("td", {}, ev.CallbackCommand), el("td", {}, ev.Key),
      el("td", { class: "state-" + ev.State }, ev.State + (ev.State === "pending" && ev.NextAttemptTime ? ` (next ${TIMD.time(ev.NextAttemptTime)})` : "")),
      el("td", { class: "num" }, ev.Attempts), el("td", {}, reply(ev)), el("td", {}, TIMD.time(ev.CreateTime)),
      el("td", {}, el("button", { type: "button", class: "quiet", onclick: () => { toggle(open, id); guard(() => refresh(true)); } }, open.has(id) ? "Hide" : "Request"), " ",
        el("button", { type: "button", onclick: () => replay(ev.Id) }, "Replay")))];
    if (open.has(id)) {
      out.push(el("tr", { class: "detail" }, el("td", { colspan: 8 },
        el("div", { class: "hint" }, `Body as POSTed (ClientIP ${ev.ClientIP || "none"}); last reply: ${reply(ev)}` +
          (ev.DeliveredTime ? `, delivered ${TIMD.time(ev.DeliveredTime)}` : "")),
        TIMD.json(ev.Body))));
    }
    return out;
  }
  const toggle = (set, id) => set.has(id) ? set.delete(id) : set.add(id);

  async function replay(id) {
    await guard(async () => {
      await call("timd_callback", "replay", { Id: id });
      TIMD.flash(`Event ${id} is pending again, due now.`);
      await refresh();
    });
  }

  async function captures(quiet) {
    try {
      let list = [], cursor = capturesFrom;
      for (;;) {
        const r = await call("timd_capture", "list", { Cursor: cursor, Limit: 1000 }, null, quiet);
        list = list.concat(r.Callbacks).slice(-200);
        if (r.Callbacks.length < 1000) break;
        cursor = r.NextCursor;
      }
      if (list.length) capturesFrom = list[0].Seq - 1;
      fill(document.getElementById("captures"), list.reverse().flatMap(c => {
        const id = "cap" + c.Seq;
        const out = [el("tr", { "data-capture": c.Seq }, el("td", {}, c.Seq), el("td", {}, c.Kind), el("td", {}, c.CallbackCommand),
          el("td", {}, c.GroupId || ""), el("td", {}, new Date(c.CapturedAt).toLocaleString()),
          el("td", {}, el("button", { type: "button", class: "quiet", onclick: () => { toggle(open, id); guard(() => refresh(true)); } }, open.has(id) ? "Hide" : "Request")))];
        if (open.has(id)) out.push(el("tr", { class: "detail" }, el("td", { colspan: 6 }, el("div", { class: "hint" }, "?" + c.Query), TIMD.json(c.Body))));
        return out;
      }), "nothing captured");
    } catch (e) {
      fill(document.getElementById("captures"), [], `timd_capture/list: ${e.message}`);
    }
  }

  // One refresh at a time; one asked for meanwhile runs after it.
  let busy = false, again = false;
  async function refresh(quiet) {
    if (busy) { again = true; return; }
    busy = true;
    try {
      const list = await events(quiet);
      fill(document.getElementById("events"), list.flatMap(rows), "no callback events yet: change something (dismiss a group) and it appears here");
      document.getElementById("events-hint").textContent = `${list.length} event${list.length === 1 ? "" : "s"} shown, newest first; updated ${new Date().toLocaleTimeString()}.`;
      await captures(quiet);
    } finally {
      busy = false;
    }
    if (again) { again = false; await refresh(true); }
  }

  document.getElementById("replay-dead").addEventListener("click", () => guard(async () => {
    const r = await call("timd_callback", "replay_dead", {});
    TIMD.flash(`${r.Replayed} dead event${r.Replayed === 1 ? "" : "s"} replayed.`);
    await refresh();
  }));
  const refilter = () => { refiltered = true; guard(refresh); };
  for (const id of ["state", "command", "key"]) document.getElementById(id).addEventListener("change", refilter);
  document.getElementById("filter").addEventListener("submit", ev => { ev.preventDefault(); refilter(); });
  guard(refresh);
  setInterval(() => { if (document.getElementById("live").checked) guard(() => refresh(true)); }, 2000);
})();

// Faults (timd_fault/list, set, set_callback, clear) and the clock
// (timd_clock/get, advance, reset) of the control plane.
"use strict";
(() => {
  if (!TIMD.creds()) return;
  const { call, guard } = TIMD;
  const num = id => { const v = document.getElementById(id).value.trim(); return v === "" ? undefined : Number(v); };
  const val = id => document.getElementById(id).value.trim();

  async function faults() {
    const pre = document.getElementById("faults");
    try {
      const r = await call("timd_fault", "list", {});
      pre.textContent = r.Faults.length ? JSON.stringify(r.Faults, null, 2) : "no faults";
    } catch (e) {
      pre.textContent = `timd_fault/list: ${e.message}`;
    }
  }

  async function clock(r) {
    try {
      r = r || await call("timd_clock", "get", {});
      document.getElementById("clock-now").textContent = new Date(r.Now).toLocaleString();
      document.getElementById("clock-offset").textContent = r.Offset ? `(${r.Offset / 1000} s from real time)` : "(real time)";
    } catch (e) {
      document.getElementById("clock-now").textContent = "unavailable";
      document.getElementById("clock-offset").textContent = `timd_clock/get: ${e.message}`;
    }
  }

  const submit = (id, fn) => document.getElementById(id).addEventListener("submit", ev => { ev.preventDefault(); guard(fn); });
  submit("fault", async () => {
    const r = await call("timd_fault", "set", { Service: val("fault-service"), Command: val("fault-command") || "*",
      ErrorCode: num("fault-code"), Count: num("fault-count") });
    TIMD.flash(`Fault ${r.FaultId} added.`);
    await faults();
  });
  submit("cbfault", async () => {
    const r = await call("timd_fault", "set_callback", { CallbackCommand: val("cbfault-command"), Action: val("cbfault-action"),
      Count: num("cbfault-count") });
    TIMD.flash(`Fault ${r.FaultId} added.`);
    await faults();
  });
  document.getElementById("faults-clear").addEventListener("click", () => guard(async () => {
    const r = await call("timd_fault", "clear", {});
    TIMD.flash(`${r.Cleared} fault${r.Cleared === 1 ? "" : "s"} cleared.`);
    await faults();
  }));
  submit("advance", async () => {
    await clock(await call("timd_clock", "advance", { Seconds: num("advance-by") }));
  });
  document.getElementById("clock-reset").addEventListener("click", () => guard(async () => clock(await call("timd_clock", "reset", {}))));

  guard(async () => { await faults(); await clock(); });
})();

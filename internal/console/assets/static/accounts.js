// Accounts: import (account_import), delete (account_delete), list
// (timd_control/list_objects, or account_check of the searched UserID when
// the control plane is off).
"use strict";
(() => {
  if (!TIMD.creds()) return;
  const { call, el, fill, guard } = TIMD;
  const table = document.getElementById("accounts"), hint = document.getElementById("accounts-hint");

  function row(id, status) {
    return el("tr", { "data-user": id }, el("td", {}, id), el("td", {}, status),
      el("td", {}, el("button", { type: "button", class: "danger", onclick: () => del(id) }, "Delete")));
  }

  async function load() {
    const q = document.getElementById("search-q").value.trim();
    hint.textContent = "";
    try {
      const r = await TIMD.listObjects("Account", {}, 10000);
      const list = r.objects.map(o => o.Id).filter(id => id.includes(q));
      fill(table, list.slice(0, 500).map(id => row(id, "Imported")), q ? `no account matches "${q}"` : "no accounts");
      if (list.length > 500) hint.textContent = `${list.length} match; the first 500 are shown.`;
    } catch (e) {
      if (!(e instanceof TIMD.ApiError) || !q) throw e;
      // Without the control plane there is no listing: check the one asked for.
      const c = await call("im_open_login_svc", "account_check", { CheckItem: [{ UserID: q }] });
      fill(table, c.ResultItem.map(i => row(i.UserID, i.AccountStatus)));
      hint.textContent = "The control plane is off for this app: search shows only the exact UserID.";
    }
  }

  async function del(id) {
    if (!await TIMD.confirmAction(`Delete the account ${id}? It leaves its groups and loses its friends; this cannot be undone.`, "Delete")) return;
    await guard(async () => {
      const r = await call("im_open_login_svc", "account_delete", { DeleteItem: [{ UserID: id }] });
      const item = r.ResultItem[0];
      if (item.ResultCode) throw new Error(`${id}: ${item.ResultCode} ${item.ResultInfo}`);
      TIMD.flash(`Deleted ${id}.`);
      await load();
    });
  }

  document.getElementById("import").addEventListener("submit", ev => {
    ev.preventDefault();
    guard(async () => {
      const id = document.getElementById("import-userid").value.trim(), nick = document.getElementById("import-nick").value.trim();
      await call("im_open_login_svc", "account_import", nick ? { UserID: id, Nick: nick } : { UserID: id });
      TIMD.flash(`Imported ${id}.`);
      ev.target.reset();
      await load();
    });
  });
  document.getElementById("search").addEventListener("submit", ev => { ev.preventDefault(); guard(load); });
  guard(load);
})();

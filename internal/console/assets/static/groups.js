// Groups: list and filter by type (get_appid_group_list, get_group_info),
// members (get_group_member_info), dismiss (destroy_group).
"use strict";
(() => {
  if (!TIMD.creds()) return;
  const { call, el, fill, guard } = TIMD;
  const table = document.getElementById("groups"), hint = document.getElementById("groups-hint");
  const maxShown = 1000;

  async function groupIds(type) {
    const ids = [];
    let next = 0, total = 0;
    do {
      const req = { Limit: 10000, Next: next };
      if (type) req.GroupType = type;
      const r = await call("group_open_http_svc", "get_appid_group_list", req);
      ids.push(...r.GroupIdList.map(g => g.GroupId));
      next = r.Next; total = r.TotalCount;
    } while (next && ids.length < maxShown);
    return { ids, total };
  }

  async function infos(ids) {
    const out = [];
    for (let i = 0; i < ids.length; i += 50) {
      const r = await call("group_open_http_svc", "get_group_info", { GroupIdList: ids.slice(i, i + 50),
        ResponseFilter: { GroupBaseInfoFilter: ["Type", "Name", "Owner_Account", "MemberNum"] } });
      out.push(...r.GroupInfo.filter(g => g.ErrorCode === 0));
    }
    return out;
  }

  function row(g) {
    return el("tr", { "data-group": g.GroupId }, el("td", {}, g.GroupId), el("td", {}, g.Name), el("td", {}, g.Type),
      el("td", {}, g.Owner_Account || ""), el("td", { class: "num" }, g.MemberNum),
      el("td", {}, el("button", { type: "button", class: "quiet", onclick: () => guard(() => members(g.GroupId)) }, "Members"), " ",
        el("button", { type: "button", class: "danger", onclick: () => dismiss(g) }, "Dismiss")));
  }

  async function load() {
    const q = document.getElementById("group-q").value.trim().toLowerCase(), type = document.getElementById("group-type").value;
    const { ids, total } = await groupIds(type);
    const list = (await infos(ids)).filter(g => !q || g.GroupId.toLowerCase().includes(q) || (g.Name || "").toLowerCase().includes(q));
    fill(table, list.map(row), "no groups match");
    hint.textContent = `${total} group${total === 1 ? "" : "s"}${type ? " of type " + type : ""}` +
      (ids.length < total ? `; the first ${ids.length} are searched` : "") + ".";
    if (!total && !type) hint.append(" Create one through the REST API, as a client would; in a shell:", createCommand());
  }

  // createCommand is a create_group call with this tab's credentials, for
  // an app with no group yet.
  function createCommand() {
    const c = TIMD.creds();
    const q = new URLSearchParams({ sdkappid: c.sdkappid, identifier: c.identifier, usersig: c.usersig, random: "1", contenttype: "json" });
    const body = JSON.stringify({ Owner_Account: c.identifier, Type: "Public", Name: "First group" });
    return el("pre", { class: "json", id: "create-command" },
      `curl -s '${location.origin}/v4/group_open_http_svc/create_group?${q}' -d '${body}'`);
  }

  async function members(id) {
    const r = await call("group_open_http_svc", "get_group_member_info", { GroupId: id, Limit: 1000 });
    document.getElementById("members-of").textContent = id;
    fill(document.getElementById("members"), r.MemberList.map(m => el("tr", {},
      el("td", {}, m.Member_Account), el("td", {}, m.Role), el("td", {}, TIMD.time(m.JoinTime)))));
    document.getElementById("members-card").hidden = false;
  }

  async function dismiss(g) {
    const ok = await TIMD.confirmAction(`Dismiss the group ${g.GroupId} (${g.Name})? This is irreversible: ` +
      "its members, messages and settings are deleted, and the group cannot be restored.", "Dismiss for good");
    if (!ok) return;
    await guard(async () => {
      await call("group_open_http_svc", "destroy_group", { GroupId: g.GroupId });
      TIMD.flash(`Dismissed ${g.GroupId}. Its Group.CallbackAfterGroupDestroyed is in the Callbacks page's log (when the app has a callback URL).`);
      document.getElementById("members-card").hidden = true;
      await load();
    });
  }

  document.getElementById("filter").addEventListener("submit", ev => { ev.preventDefault(); guard(load); });
  document.getElementById("group-type").addEventListener("change", () => guard(load));
  guard(load);
})();

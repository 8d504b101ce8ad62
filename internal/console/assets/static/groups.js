// Groups: list and filter by type (get_appid_group_list, get_group_info),
// a group's members, attributes and counters (get_group_member_info,
// get_group_attr, get_group_counter), a live room's bans
// (get_group_ban_member), dismiss (destroy_group).
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
      el("td", {}, el("button", { type: "button", class: "quiet", onclick: () => guard(() => members(g)) }, "Details"), " ",
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

  // members shows a group's members, attributes and counters, and an
  // AVChatRoom's bans. A part the group or the app has none of (an
  // AVChatRoom keeps no member list, a Community no counters, counters and
  // bans need the Ultimate edition) says why.
  async function members(g) {
    const id = g.GroupId;
    document.getElementById("members-of").textContent = id;
    await part("members", "no members", () => call("group_open_http_svc", "get_group_member_info", { GroupId: id, Limit: 1000 }),
      r => r.MemberList.map(m => el("tr", {}, el("td", {}, m.Member_Account), el("td", {}, m.Role), el("td", {}, TIMD.time(m.JoinTime)))));
    await part("attrs", "no attributes", () => call("group_open_attr_http_svc", "get_group_attr", { GroupId: id }),
      r => r.GroupAttrAry.map(a => el("tr", {}, el("td", {}, a.key), el("td", {}, a.value))));
    await part("counters", "no counters", () => call("group_open_http_svc", "get_group_counter", { GroupId: id }),
      r => r.GroupCounter.map(c => el("tr", {}, el("td", {}, c.Key), el("td", { class: "num" }, c.Value))));
    const room = g.Type === "AVChatRoom";
    document.getElementById("bans-part").hidden = !room;
    if (room) {
      await part("bans", "no bans", () => call("group_open_http_svc", "get_group_ban_member", { GroupId: id, Limit: 100 }),
        r => r.BannedAccountList.map(b => el("tr", {}, el("td", {}, b.Member_Account), el("td", {}, TIMD.time(b.BannedUntil)))));
    }
    document.getElementById("members-card").hidden = false;
  }

  // part fills one table of the group's card from a call, or with the
  // refusal's ErrorCode and ErrorInfo.
  async function part(table, empty, get, rows) {
    try {
      fill(document.getElementById(table), rows(await get()), empty);
    } catch (e) {
      if (!(e instanceof TIMD.ApiError)) throw e;
      fill(document.getElementById(table), [], e.message);
    }
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

// A user's friends (friend_get, friend_delete), friend lists (group_get,
// group_delete), conversation groups (get_contact_group,
// del_contact_group) and follows (follow_get_info, follow_get).
"use strict";
(() => {
  if (!TIMD.creds()) return;
  const { call, el, fill, guard } = TIMD;
  const form = document.getElementById("user");
  let user = new URLSearchParams(location.search).get("user") || "";
  form["user-id"].value = user;

  const tag = (item, name) => ((item.ValueItem || []).find(v => v.Tag === name) || {}).Value;
  const delButton = (label, fn) => el("button", { type: "button", class: "danger", onclick: fn }, label);

  async function friends() {
    const items = [];
    let start = 0;
    do {
      const r = await call("sns", "friend_get", { From_Account: user, StartIndex: start });
      items.push(...(r.UserDataItem || []));
      start = r.CompleteFlag ? 0 : r.NextStartIndex;
    } while (start);
    fill(document.getElementById("friends"), items.map(f => el("tr", {},
      el("td", {}, f.To_Account), el("td", {}, tag(f, "Tag_SNS_IM_Remark") || ""),
      el("td", {}, (tag(f, "Tag_SNS_IM_Group") || []).join(", ")), el("td", {}, TIMD.time(tag(f, "Tag_SNS_IM_AddTime"))),
      el("td", {}, delButton("Delete", () => del(`Delete ${f.To_Account} from ${user}'s friends, both ways?`,
        "sns", "friend_delete", { From_Account: user, To_Account: [f.To_Account], DeleteType: "Delete_Type_Both" }))))),
    `${user} has no friends`);
  }

  async function lists() {
    const r = await call("sns", "group_get", { From_Account: user, NeedFriend: "Need_Friend_Type_Yes" });
    fill(document.getElementById("lists"), (r.ResultItem || []).map(g => el("tr", {},
      el("td", {}, g.GroupName), el("td", {}, (g.To_Account || []).join(", ")),
      el("td", {}, delButton("Delete", () => del(`Delete ${user}'s friend list ${g.GroupName}? Its friends stay friends.`,
        "sns", "group_delete", { From_Account: user, GroupName: [g.GroupName] }))))),
    `${user} has no friend lists`);
  }

  async function contacts() {
    const hint = document.getElementById("contacts-hint");
    hint.textContent = "";
    let r;
    try {
      r = await call("recentcontact", "get_contact_group", { From_Account: user, StartIndex: 0 });
    } catch (e) {
      hint.textContent = `get_contact_group: ${e.message}`;
      fill(document.getElementById("contacts"), []);
      return;
    }
    const convs = new Map();
    for (const c of r.ContactItem || []) {
      for (const id of c.ContactGroupId || []) {
        if (!convs.has(id)) convs.set(id, []);
        convs.get(id).push(c.Type === 2 ? `group ${c.ToGroupId}` : c.To_Account);
      }
    }
    fill(document.getElementById("contacts"), (r.GroupItem || []).map(g => el("tr", {},
      el("td", {}, g.GroupName), el("td", {}, (convs.get(g.GroupId) || []).join(", ")),
      el("td", {}, delButton("Delete", () => del(`Delete ${user}'s conversation group ${g.GroupName}? The conversations stay.`,
        "recentcontact", "del_contact_group", { From_Account: user, GroupName: [g.GroupName] }))))),
    `${user} has no conversation groups`);
  }

  // follows shows how many the user follows and is followed by, and each
  // list's first page; an app without the feature says why.
  async function follows() {
    const hint = document.getElementById("follows-hint");
    hint.textContent = "";
    const lists = [];
    try {
      const info = (await call("follow", "follow_get_info", { From_Account: user, To_Account: [user] })).FollowInfo[0];
      for (const [type, name, count] of [[2, "follows", info.FollowingCount], [1, "followers", info.FollowerCount],
        [3, "mutual", info.MutualFollowingCount]]) {
        const r = await call("follow", "follow_get", { From_Account: user, FollowType: type, StartCursor: "", WantNum: 100 });
        lists.push(el("tr", { "data-follow": name }, el("td", {}, name), el("td", { class: "num" }, count),
          el("td", {}, r.FollowItem.map(f => f.To_Account).join(", ") + (r.NextCursor ? ", …" : ""))));
      }
    } catch (e) {
      if (!(e instanceof TIMD.ApiError)) throw e;
      hint.textContent = `follows: ${e.message}`;
    }
    fill(document.getElementById("follows"), lists, `${user} follows no one and has no followers`);
  }

  async function del(question, service, command, body) {
    if (!await TIMD.confirmAction(question, "Delete")) return;
    await guard(async () => {
      await call(service, command, body);
      TIMD.flash("Deleted.");
      await load();
    });
  }

  async function load() {
    if (!user) return;
    history.replaceState(null, "", "?user=" + encodeURIComponent(user));
    await friends();
    await lists();
    await contacts();
    await follows();
  }

  form.addEventListener("submit", ev => { ev.preventDefault(); user = form["user-id"].value.trim(); guard(load); });
  guard(load);
})();

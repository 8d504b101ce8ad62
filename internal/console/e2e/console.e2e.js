// The console's end-to-end test in a real browser: Chromium driven by
// playwright-core against a running timd. TestConsole_Browser
// (cmd/timd/console_browser_test.go) starts timd and runs this script with:
//   TIMD_URL, TIMD_SDKAPPID, TIMD_KEY (the development app's secret key),
//   TIMD_ADMIN, TIMD_USERSIG (an admin UserSig, for the calls a script
//   makes beside the console), TIMD_SHOTS (where screenshots go),
//   CHROMIUM (the browser's path).
// It logs in with the secret key, imports an account, sees a group created
// through the API, dismisses it from the console and watches its
// Group.CallbackAfterGroupDestroyed arrive in the delivery log, and takes a
// screenshot of every page. Any step failing, or an error in a page, exits 1.
"use strict";
const path = require("path");
const { chromium } = require("playwright-core");

const env = name => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const base = env("TIMD_URL"), shots = env("TIMD_SHOTS");

// api makes one REST call the way a script would, outside the browser.
async function api(service, command, body) {
  const q = new URLSearchParams({ sdkappid: env("TIMD_SDKAPPID"), identifier: env("TIMD_ADMIN"),
    usersig: env("TIMD_USERSIG"), random: "1", contenttype: "json" });
  const res = await fetch(`${base}/v4/${service}/${command}?${q}`, { method: "POST", body: JSON.stringify(body) });
  const reply = await res.json();
  if (reply.ErrorCode !== 0) throw new Error(`${service}/${command}: ${JSON.stringify(reply)}`);
  return reply;
}

function step(name) {
  console.log(`step: ${name}`);
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

async function run(page) {
  step("log in with the secret key");
  await page.goto(`${base}/console/`);
  await page.waitForURL(/\/console\/login/);
  const prefilled = await page.inputValue("#sdkappid");
  if (prefilled !== env("TIMD_SDKAPPID")) throw new Error(`SDKAppID prefilled ${prefilled}`);
  await page.fill("#key", "not-the-key");
  await page.click("#login-submit");
  await page.waitForSelector("#flash.error >> text=70009");
  if (await page.evaluate(() => sessionStorage.length) !== 0) throw new Error("refused credentials were kept");
  await page.fill("#key", env("TIMD_KEY"));
  await shot(page, "login");
  await page.click("#login-submit");
  await page.waitForURL(u => u.pathname === "/console/");
  await page.waitForFunction(() => /^[0-9]+/.test(document.getElementById("count-accounts").textContent));
  const stored = await page.evaluate(() => [sessionStorage.getItem("timd.console") || "", localStorage.length]);
  if (stored[0].includes(env("TIMD_KEY")) || stored[1] !== 0) throw new Error("the secret key was stored, or something went to localStorage");

  step("import an account");
  await page.click("nav >> text=Accounts");
  await page.fill("#import-userid", "alice");
  await page.fill("#import-nick", "Alice");
  await page.click("#import-submit");
  await page.waitForSelector('tr[data-user="alice"]');
  await page.fill("#import-userid", "dave");
  await page.click("#import-submit");
  await page.click('tr[data-user="dave"] >> text=Delete');
  await page.click("#confirm-ok");
  await page.waitForSelector('tr[data-user="dave"]', { state: "detached" });

  step("an app with no group shows how to create one; that command works");
  await page.click("nav >> text=Groups");
  const command = await page.textContent("#create-command");
  const m = /^curl -s '([^']+)' -d '([^']+)'$/.exec(command);
  if (!m) throw new Error(`not a curl command: ${command}`);
  const created = await (await fetch(m[1], { method: "POST", body: m[2] })).json();
  if (created.ErrorCode !== 0) throw new Error(`the shown command: ${JSON.stringify(created)}`);
  await page.reload();
  await page.waitForSelector(`tr[data-group="${created.GroupId}"]`);
  await page.click("nav >> text=Accounts");

  step("create a group through the API");
  await api("im_open_login_svc", "multiaccount_import", { Accounts: ["bob", "carol"] });
  await api("group_open_http_svc", "create_group", { Owner_Account: "alice", Type: "Public", Name: "Console demo",
    GroupId: "console_demo", MemberList: [{ Member_Account: "bob" }, { Member_Account: "carol" }] });
  await api("group_open_http_svc", "create_group", { Owner_Account: "bob", Type: "Private", Name: "Kept", GroupId: "console_kept" });
  await api("sns", "friend_import", { From_Account: "alice", AddFriendItem: [{ To_Account: "bob", AddSource: "AddSource_Type_Web", GroupName: ["work"] },
    { To_Account: "carol", AddSource: "AddSource_Type_Web", Remark: "Carol" }] });
  await api("recentcontact", "create_contact_group", { From_Account: "alice",
    GroupContactItem: [{ GroupName: "projects", ContactItem: [{ Type: 1, To_Account: "bob" }, { Type: 2, ToGroupId: "console_kept" }] }] });
  await page.reload();
  await page.waitForSelector('tr[data-user="carol"]');
  await shot(page, "accounts");

  step("see the group, filter by type, its members, attributes and counters");
  await page.click("nav >> text=Groups");
  await page.waitForSelector('tr[data-group="console_demo"]');
  await page.selectOption("#group-type", "Private");
  await page.waitForSelector('tr[data-group="console_demo"]', { state: "detached" });
  await page.selectOption("#group-type", "");
  await api("group_open_http_svc", "set_group_attr", { GroupId: "console_demo", GroupAttr: [{ key: "seat1", value: "alice" }] });
  await api("group_open_http_svc", "update_group_counter", { GroupId: "console_demo", Mode: "Increase",
    GroupCounter: [{ Key: "likes", Value: 42 }] });
  await page.click('tr[data-group="console_demo"] >> text=Details');
  await page.waitForSelector("#members >> text=carol");
  await page.waitForSelector("#attrs >> text=seat1");
  await page.waitForSelector('#counters tr:has-text("likes") >> text=42');
  if (await page.isVisible("#bans-part")) throw new Error("a Public group's details show bans");
  await shot(page, "groups");

  step("see a live room's bans");
  await api("group_open_http_svc", "create_group", { Owner_Account: "alice", Type: "AVChatRoom", Name: "Live", GroupId: "console_live" });
  await api("group_open_http_svc", "ban_group_member", { GroupId: "console_live", Members_Account: ["carol"], Duration: 3600 });
  await page.selectOption("#group-type", "AVChatRoom");
  await page.click('tr[data-group="console_live"] >> text=Details');
  await page.waitForSelector("#bans-part:not([hidden]) #bans >> text=carol");
  await page.selectOption("#group-type", "");
  await page.waitForSelector('tr[data-group="console_demo"]');

  step("dismiss it from the console");
  await page.click('tr[data-group="console_demo"] >> text=Dismiss');
  await page.waitForSelector("#confirm[open]");
  const question = await page.textContent("#confirm-text");
  if (!/irreversible/.test(question)) throw new Error(`the confirmation does not say it is irreversible: ${question}`);
  await shot(page, "dismiss");
  await page.click("#confirm-ok");
  await page.waitForSelector('tr[data-group="console_demo"]', { state: "detached" });

  step("see its callback arrive in the log");
  await page.click("nav >> text=Callbacks");
  const row = 'tr[data-command="Group.CallbackAfterGroupDestroyed"][data-state="delivered"]';
  await page.waitForSelector(row, { timeout: 30000 });
  await page.click(`${row} >> text=Request`);
  await page.waitForSelector('tr.detail pre >> text=console_demo');
  await page.waitForSelector('tr[data-capture] >> text=Group.CallbackAfterGroupDestroyed');
  await shot(page, "callbacks");
  await page.click(`${row} >> text=Replay`);
  await page.waitForSelector("#flash >> text=pending again");
  await page.selectOption("#state", "dead");
  await page.waitForSelector("tr[data-event]", { state: "detached" });
  await page.selectOption("#state", "");
  await page.waitForSelector('tr[data-command="Group.CallbackAfterGroupDestroyed"]');

  step("a refused delivery shows the receiver's reply once");
  await api("timd_fault", "set_callback", { CallbackCommand: "Group.CallbackAfterCreateGroup", Action: "Fail", Count: 2 });
  await api("group_open_http_svc", "create_group", { Owner_Account: "alice", Type: "Public", Name: "refused", GroupId: "console_refused" });
  const refused = 'tr[data-command="Group.CallbackAfterCreateGroup"][data-state="pending"]';
  await page.waitForSelector(`${refused} >> text=injected fault`, { timeout: 30000 });
  const shown = await page.textContent(`${refused} >> td:nth-child(6)`);
  if (!/^HTTP 500 \(injected fault \d+\)$/.test(shown)) throw new Error(`the last reply reads ${JSON.stringify(shown)}`);

  step("a user's friends, friend lists, conversation groups and follows");
  await api("follow", "follow_add", { From_Account: "alice", FollowItem: [{ To_Account: "bob" }, { To_Account: "carol" }] });
  await api("follow", "follow_add", { From_Account: "bob", FollowItem: [{ To_Account: "alice" }] });
  await page.click("nav >> text=Friends");
  await page.fill("#user-id", "alice");
  await page.press("#user-id", "Enter");
  await page.waitForSelector("#friends >> text=carol");
  await page.waitForSelector("#lists >> text=work");
  await page.waitForSelector("#contacts >> text=projects");
  await page.waitForSelector('#follows tr[data-follow="follows"] >> text=bob, carol');
  await page.waitForSelector('#follows tr[data-follow="mutual"] >> text=bob');
  await shot(page, "friends");
  await api("sns", "group_add", { From_Account: "alice", GroupName: ["old"] });
  await page.click("#user >> text=Show");
  await page.click('#lists tr:has-text("old") >> text=Delete');
  await page.click("#confirm-ok");
  await page.waitForSelector('#lists >> text="old"', { state: "detached" });

  step("faults and clock, overview");
  await page.click("nav >> text=Faults & clock");
  await page.fill("#fault-service", "group_open_http_svc");
  await page.fill("#fault-command", "create_group");
  await page.fill("#fault-code", "10002");
  await page.fill("#fault-count", "1");
  await page.click("#fault >> text=Add API fault");
  await page.waitForSelector('#faults >> text=create_group');
  await page.fill("#advance-by", "3600");
  await page.click("#advance >> text=Advance");
  await page.waitForSelector("#clock-offset >> text=3600 s from real time");
  await shot(page, "control");
  await page.click("nav >> text=Overview");
  await page.waitForSelector("#rates >> text=destroy_group");
  await page.waitForFunction(() => document.getElementById("count-events").textContent.includes("/"));
  await shot(page, "overview");
}

(async () => {
  const browser = await chromium.launch({ executablePath: env("CHROMIUM"),
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"] });
  const errors = [];
  let failed = false;
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    page.setDefaultTimeout(20000); // generous: CI runs other packages' tests beside it
    page.on("pageerror", e => errors.push(String(e)));
    page.on("console", m => { if (m.type() === "error") errors.push(m.text()); });
    try {
      await run(page);
    } catch (e) {
      failed = true;
      console.error(`FAIL: ${e.stack || e}`);
      await shot(page, "failure").catch(() => {});
    }
  } finally {
    await browser.close();
  }
  if (errors.length) {
    failed = true;
    console.error(`errors in the pages:\n${errors.join("\n")}`);
  }
  console.log(failed ? "console e2e: FAIL" : "console e2e: OK");
  process.exit(failed ? 1 : 0);
})();

// The login page: check the credentials with one harmless admin call
// (account_check of the admin itself), keep them for this tab, go on.
"use strict";
(() => {
  const form = document.getElementById("login");
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    TIMD.clearFlash();
    const sdkappid = form.sdkappid.value.trim(), identifier = form.identifier.value.trim();
    const key = form.key.value.trim();
    let usersig = form.usersig.value.trim();
    if (!/^[0-9]+$/.test(sdkappid)) { TIMD.flash("The SDKAppID is a number.", true); return; }
    if (!key && !usersig) { TIMD.flash("Give the secret key or an admin UserSig.", true); return; }
    if (key) {
      // Valid 12 hours: longer than a tab is likely to live.
      usersig = await TIMD.mintUserSig(sdkappid, key, identifier, 12 * 3600);
      form.key.value = "";
    }
    const c = { sdkappid, identifier, usersig };
    try {
      await TIMD.call("im_open_login_svc", "account_check", { CheckItem: [{ UserID: identifier }] }, c);
    } catch (e) {
      TIMD.flash(`timd did not accept these credentials: ${e.message}`, true);
      return;
    }
    TIMD.setCreds(c);
    const next = new URLSearchParams(location.search).get("next");
    location.href = next && next.startsWith("/console/") ? next : "/console/";
  });
})();

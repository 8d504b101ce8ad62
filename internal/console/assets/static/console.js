// timd console: what every page shares. The credentials live in
// sessionStorage only, so they go with the tab; a secret key typed at the
// login is used there to sign a UserSig and never stored. Every action is a
// call to timd's own REST or management API (POST /v4/{service}/{command}).
"use strict";

const TIMD = (() => {
  const storeKey = "timd.console";

  function creds() {
    try { return JSON.parse(sessionStorage.getItem(storeKey) || "null"); } catch { return null; }
  }
  function setCreds(c) { sessionStorage.setItem(storeKey, JSON.stringify(c)); }
  function logout() { sessionStorage.removeItem(storeKey); location.href = "/console/login"; }

  // ApiError is a reply whose ErrorCode is not 0.
  class ApiError extends Error {
    constructor(code, info, reply) { super(`ErrorCode ${code}: ${info}`); this.code = code; this.reply = reply; }
  }

  // noteCall lists a call in the footer, newest first, the last 8.
  function noteCall(text, failed) {
    const ol = document.getElementById("calls");
    if (!ol) return;
    const li = el("li", { class: failed ? "state-dead" : "" }, text);
    ol.prepend(li);
    while (ol.children.length > 8) ol.lastChild.remove();
  }

  // call makes one REST call with the logged-in admin's query. A reply
  // with a non-zero ErrorCode throws an ApiError; 60009 is "off here"
  // (a control-plane command on an app without it), which pages say so.
  // quiet leaves the call out of the footer's list (the live refreshes).
  async function call(service, command, body, c, quiet) {
    c = c || creds();
    if (!c) { logout(); throw new Error("not logged in"); }
    const q = new URLSearchParams({ sdkappid: c.sdkappid, identifier: c.identifier, usersig: c.usersig,
      random: String(Math.floor(Math.random() * 4294967295)), contenttype: "json" });
    const path = `/v4/${service}/${command}`;
    const res = await fetch(`${path}?${q}`, { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body || {}) });
    const reply = await res.json();
    const code = reply.ErrorCode || 0;
    if (!quiet || code !== 0) noteCall(`POST ${path} ${JSON.stringify(body || {})} → ErrorCode ${code}`, code !== 0);
    if (code !== 0) {
      if ([70001, 70003, 70009, 70013, 70014, 60010].includes(code)) {
        flash(`timd refused the login (${code}: ${reply.ErrorInfo}); log in again.`, true);
      }
      throw new ApiError(code, reply.ErrorInfo, reply);
    }
    return reply;
  }

  // el builds an element: attributes (on* are listeners) and children
  // (strings become text, never HTML).
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? "" : v);
    }
    for (const k of kids.flat()) if (k !== undefined && k !== null) e.append(k instanceof Node ? k : String(k));
    return e;
  }

  // fill replaces a table's body with rows, or one row saying empty.
  function fill(table, rows, empty) {
    const tbody = table.tBodies[0];
    tbody.replaceChildren(...rows);
    if (!rows.length) {
      tbody.append(el("tr", {}, el("td", { colspan: table.tHead.rows[0].cells.length, class: "hint" }, empty || "none")));
    }
  }

  function flash(text, error) {
    const f = document.getElementById("flash");
    f.textContent = text;
    f.className = error ? "error" : "";
    f.hidden = false;
  }
  function clearFlash() { document.getElementById("flash").hidden = true; }

  // confirmAction asks in a modal dialog; resolves true on Confirm.
  function confirmAction(text, okLabel) {
    const d = document.getElementById("confirm");
    document.getElementById("confirm-text").textContent = text;
    document.getElementById("confirm-ok").textContent = okLabel || "Confirm";
    return new Promise(resolve => {
      d.addEventListener("close", () => resolve(d.returnValue === "ok"), { once: true });
      d.returnValue = "";
      d.showModal();
    });
  }

  // guard runs an action, showing its failure instead of throwing.
  async function guard(fn) {
    try { return await fn(); } catch (e) { flash(e.message, true); return undefined; }
  }

  const time = s => s ? new Date(s * 1000).toLocaleString() : "";
  const json = v => el("pre", { class: "json" }, JSON.stringify(v, null, 2));

  // pageAll reads every page of timd_control/list_objects of type, up to
  // max objects; more says whether some were left.
  async function listObjects(type, extra, max) {
    const out = [];
    let cursor = "";
    do {
      const r = await call("timd_control", "list_objects", Object.assign({ Type: type, Limit: 1000 }, extra, cursor ? { Cursor: cursor } : {}));
      out.push(...r.Objects);
      cursor = r.NextCursor;
    } while (cursor && out.length < (max || 10000));
    return { objects: out, more: Boolean(cursor) };
  }

  // Tencent's UserSig (TLS-sig-api-v2): HMAC-SHA256 over fixed lines,
  // a JSON document, zlib, then base64 with + / = written * - _.
  async function mintUserSig(sdkappid, key, identifier, expire) {
    const t = Math.floor(Date.now() / 1000);
    const content = `TLS.identifier:${identifier}\nTLS.sdkappid:${sdkappid}\nTLS.time:${t}\nTLS.expire:${expire}\n`;
    const enc = new TextEncoder();
    const k = await crypto.subtle.importKey("raw", enc.encode(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    const mac = new Uint8Array(await crypto.subtle.sign("HMAC", k, enc.encode(content)));
    const doc = `{"TLS.ver":"2.0","TLS.identifier":${JSON.stringify(identifier)},"TLS.sdkappid":${sdkappid},` +
      `"TLS.expire":${expire},"TLS.time":${t},"TLS.sig":"${b64(mac)}"}`;
    const z = await new Response(new Blob([enc.encode(doc)]).stream().pipeThrough(new CompressionStream("deflate"))).arrayBuffer();
    return b64(new Uint8Array(z)).replace(/\+/g, "*").replace(/\//g, "-").replace(/=/g, "_");
  }
  function b64(bytes) {
    let s = "";
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s);
  }

  // On every page but the login: no credentials, go log in first.
  document.addEventListener("DOMContentLoaded", () => {
    if (document.body.dataset.page === "login") return;
    const c = creds();
    if (!c) { location.href = "/console/login?next=" + encodeURIComponent(location.pathname + location.search); return; }
    document.getElementById("who").textContent = `app ${c.sdkappid} as ${c.identifier}`;
    document.getElementById("logout").addEventListener("click", logout);
  });

  return { creds, setCreds, call, ApiError, el, fill, flash, clearFlash, confirmAction, guard, time, json, listObjects, mintUserSig };
})();

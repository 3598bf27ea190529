// Telethread's web pages: one script, no build step, no library.
// The server renders every page; this script fetches them with the session (the cookie in a
// browser, a token kept in memory in the Mini App), sends forms, and reads the web chat's
// answer as it streams in. HTML it inserts is the server's (escaped there); text it makes
// itself goes in as text.
"use strict";

(() => {
  const app = document.getElementById("app");
  const page = document.getElementById("page");
  const tabs = document.getElementById("tabs");
  const tg = window.Telegram && window.Telegram.WebApp;
  let bearer = null;
  let csrf = "";
  let current = "chat";
  let words = { failed: "That did not work.", done: "Done." };

  function headers(extra) {
    const all = Object.assign({}, extra || {});
    if (bearer) all.Authorization = "Bearer " + bearer;
    else all["X-CSRF-Token"] = csrf;
    return all;
  }

  function api(path, options) {
    const given = options || {};
    return fetch(path, Object.assign({ credentials: "same-origin" }, given, {
      headers: headers(given.headers),
    }));
  }

  function say(text, kind) {
    const old = document.getElementById("toast");
    if (old) old.remove();
    const toast = document.createElement("p");
    toast.id = "toast";
    toast.className = kind || "info";
    toast.setAttribute("role", "status");
    toast.textContent = text;
    app.prepend(toast);
    setTimeout(() => toast.remove(), 6000);
  }

  async function refused(response) {
    let message = "Something went wrong (" + response.status + ").";
    try {
      message = (await response.json()).message || message;
    } catch (_) { /* not JSON */ }
    page.replaceChildren();
    const p = document.createElement("p");
    p.id = "refused";
    p.className = "hint";
    p.textContent = message;
    page.append(p);
  }

  function applyTheme() {
    if (!tg) return;
    const root = document.documentElement;
    for (const [name, value] of Object.entries(tg.themeParams || {})) {
      root.style.setProperty("--tg-theme-" + name.replace(/_/g, "-"), value);
    }
    root.dataset.scheme = tg.colorScheme || "light";
  }

  function buildTabs(pages) {
    tabs.replaceChildren();
    for (const item of pages) {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.page = item.id;
      button.textContent = item.title;
      button.addEventListener("click", () => show(item.id));
      tabs.append(button);
    }
  }

  async function show(name) {
    const response = await api("/api/page/" + encodeURIComponent(name));
    if (!response.ok) return refused(response);
    current = name;
    page.innerHTML = await response.text();
    for (const button of tabs.querySelectorAll("button")) {
      button.classList.toggle("active", button.dataset.page === name);
    }
    history.replaceState(null, "", "#" + name);
    const messages = document.getElementById("messages");
    if (messages) messages.scrollTop = messages.scrollHeight;
  }

  function confirmed(question) {
    if (tg && tg.showConfirm) return new Promise((done) => tg.showConfirm(question, done));
    return Promise.resolve(window.confirm(question));
  }

  function bubble(kind, text) {
    const div = document.createElement("div");
    div.className = "bubble " + kind;
    if (text !== undefined) div.textContent = text;
    const messages = document.getElementById("messages");
    const empty = document.getElementById("empty");
    if (empty) empty.remove();
    messages.append(div);
    messages.scrollTop = messages.scrollHeight;
    return div;
  }

  // The answer arrives as server-sent events over the POST's own response.
  async function sendChat(form) {
    const box = form.querySelector("textarea");
    const text = box.value.trim();
    if (!text) return;
    const button = form.querySelector("button");
    button.disabled = true;
    bubble("user", text);
    const answer = bubble("bot pending");
    answer.textContent = "…";
    const status = document.createElement("p");
    status.className = "hint status";
    const response = await api("/api/chat", {
      method: "POST",
      body: new URLSearchParams({ text }),
    });
    if (!response.ok) {
      answer.remove();
      button.disabled = false;
      let message = "The message was not sent.";
      try { message = (await response.json()).message || message; } catch (_) { /* */ }
      return say(message, "error");
    }
    box.value = "";
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffered = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffered.indexOf("\n\n")) >= 0) {
        const block = buffered.slice(0, cut);
        buffered = buffered.slice(cut + 2);
        const kind = (block.match(/^event: (.*)$/m) || [])[1];
        const data = (block.match(/^data: (.*)$/m) || [])[1];
        const html = data ? JSON.parse(data).html : "";
        if (kind === "text" || kind === "answer") {
          answer.innerHTML = html;
          answer.classList.toggle("pending", kind === "text");
          if (kind === "answer") answer.classList.add("done");
          status.remove();
        } else if (kind === "status") {
          status.innerHTML = html;
          answer.after(status);
        } else if (kind === "notice") {
          bubble("notice").innerHTML = html;
        }
      }
      const messages = document.getElementById("messages");
      if (messages) messages.scrollTop = messages.scrollHeight;
    }
    if (answer.textContent === "…") answer.remove();
    status.remove();
    button.disabled = false;
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("form[data-action]");
    if (!form) return;
    event.preventDefault();
    if (form.dataset.confirm && !(await confirmed(form.dataset.confirm))) return;
    const pressed = event.submitter && event.submitter.dataset.action;
    const action = pressed || form.dataset.action;
    if (action === "chat") return sendChat(form);
    const response = await api("/api/" + action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
    });
    let reply = {};
    try { reply = await response.json(); } catch (_) { /* */ }
    say(reply.message || (response.ok ? words.done : words.failed),
      response.ok ? "info" : "error");
    if (response.ok && reply.ended) {
      bearer = null;
      tabs.replaceChildren();
      page.replaceChildren();
      return;
    }
    if (response.ok) show(current);
  });

  document.addEventListener("keydown", (event) => {
    const box = event.target;
    if (box.tagName === "TEXTAREA" && event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      box.form.requestSubmit();
    }
  });

  async function start() {
    if (tg) {
      tg.ready();
      applyTheme();
      if (tg.onEvent) tg.onEvent("themeChanged", applyTheme);
    }
    if (app.dataset.miniApp === "1") {
      const launch = tg && tg.initData;
      if (!launch) {
        return refused(new Response(JSON.stringify({ message: app.dataset.openFromTelegram }),
          { status: 401 }));
      }
      const response = await fetch("/api/mini-app", {
        method: "POST",
        headers: { Authorization: "tma " + launch },
      });
      if (!response.ok) return refused(response);
      bearer = (await response.json()).token;
    }
    const response = await api("/api/me");
    if (!response.ok) return refused(response);
    const me = await response.json();
    csrf = me.csrf;
    words = me.words;
    document.documentElement.lang = me.language;
    document.body.dataset.role = me.role;
    buildTabs(me.pages);
    const wanted = location.hash.slice(1);
    show(me.pages.some((p) => p.id === wanted) ? wanted : "chat");
  }

  start();
})();

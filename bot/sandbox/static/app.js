// Chat page of the local Telegram sandbox: plain JS, no build step, no external resources.
// Everything the bot sends is rendered from text + entities with DOM nodes (never innerHTML),
// so only Telegram's formatting (b, i, u, s, code, pre, a) can appear and nothing is executed.
"use strict";

const $ = (id) => document.getElementById(id);
const state = {
  lang: localStorage.getItem("sandbox.lang") || "vi",
  // Zalo: the same people on the Zalo channel — plain text, numbered choices, no buttons.
  channel: localStorage.getItem("sandbox.channel") === "zalo" ? "zalo" : "telegram",
  strings: {},
  people: [],
  person: null,     // {user_id, first_name, last_name, language_code}
  seq: 0,
  poll: null,       // AbortController of the running long poll
  nodes: new Map(), // message_id -> element
  raw: new Map(),   // message_id -> message JSON, to re-render when the language changes
  commands: [],
};
const CUSTOM = "custom";

// A persona's Zalo id: their Telegram id in hex, 20 digits (bot/sandbox/zalo_state.py).
function zaloId(userId) {
  return Number(userId).toString(16).padStart(20, "0");
}

function onZalo() {
  return state.channel === "zalo";
}

function renderChannel() {
  $("channel").value = state.channel;
  $("app").classList.toggle("zalo", onZalo());
  $("zalo-hint").hidden = !onZalo();
  $("menu-button").hidden = onZalo();
  if (onZalo()) { $("menu").hidden = true; renderKeyboard(null); }
}

function t(key, params) {
  let text = state.strings[key] || key;
  for (const [name, value] of Object.entries(params || {})) text = text.replace(`{${name}}`, value);
  return text;
}

async function api(path, options) {
  const response = await fetch(path, options);
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  if (!response.ok || !body || !body.ok) throw new Error((body && body.error) || `HTTP ${response.status}`);
  return body;
}

// --- strings and people ----------------------------------------------------------------------

async function loadStrings() {
  const body = await api(`/sandbox/api/strings?lang=${encodeURIComponent(state.lang)}`);
  state.strings = body.strings;
  document.documentElement.lang = state.lang;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  $("text").placeholder = t("sandbox.page.type_message");
  $("attach").setAttribute("aria-label", t("sandbox.page.attach"));
  $("attach").title = t("sandbox.page.attach");
  $("custom-id").placeholder = t("sandbox.page.custom_id");
  $("custom-name").placeholder = t("sandbox.page.custom_name");
  $("lang").setAttribute("aria-label", t("sandbox.page.language"));
  $("lang").value = state.lang;
  $("channel").setAttribute("aria-label", t("sandbox.page.channel"));
  renderPeople();
  renderActing();
  for (const [id, message] of state.raw) {
    const node = renderMessage(message);
    state.nodes.get(id).replaceWith(node);
    state.nodes.set(id, node);
  }
  const empty = $("chat").querySelector(".empty");
  if (empty) empty.textContent = t("sandbox.page.empty_chat");
}

async function loadPeople() {
  const body = await api("/sandbox/api/people");
  state.people = body.people;
  renderPeople();
}

function renderPeople() {
  const select = $("person");
  const current = select.value;
  select.replaceChildren();
  const placeholder = new Option(t("sandbox.page.pick_person"), "");
  placeholder.disabled = true;
  select.add(placeholder);
  for (const p of state.people) {
    const name = [p.first_name, p.last_name].filter(Boolean).join(" ");
    const option = new Option(p.role_label ? `${name} — ${p.role_label}` : name, String(p.user_id));
    if (p.description) option.title = p.description;
    select.add(option);
  }
  select.add(new Option(t("sandbox.page.custom_person"), CUSTOM));
  select.value = current || (state.person ? String(state.person.user_id) : "");
}

function renderActing() {
  const p = state.person;
  $("acting").textContent = p ? t("sandbox.page.acting_as", {name: [p.first_name, p.last_name].filter(Boolean).join(" ")}) : "";
}

function choosePerson(person) {
  if (state.poll) state.poll.abort();
  state.person = person;
  state.seq = 0;
  state.nodes.clear();
  state.raw.clear();
  $("chat").replaceChildren();
  renderEmpty();
  renderKeyboard(null);
  state.commands = [];
  $("menu").hidden = true;
  renderActing();
  renderChannel();
  follow();
}

// --- following the chat (long poll) ----------------------------------------------------------

async function follow() {
  const person = state.person;
  const controller = new AbortController();
  state.poll = controller;
  const zalo = onZalo();
  while (state.person === person && !controller.signal.aborted) {
    const query = new URLSearchParams({after: String(state.seq), wait: "25", user_id: String(person.user_id),
                                       language_code: person.language_code || state.lang});
    const path = zalo ? `/sandbox/api/zalo/chats/${zaloId(person.user_id)}/messages`
                      : `/sandbox/api/chats/${person.user_id}/messages`;
    try {
      const body = await api(`${path}?${query}`, {signal: controller.signal});
      if (state.person !== person) return;
      $("banner").hidden = true;
      for (const event of body.events) applyEvent(zalo ? {kind: "message", message: event.message} : event);
      state.seq = body.last_seq;
      if (zalo) continue;
      state.commands = body.commands || [];
      renderKeyboard(body.reply_keyboard);
    } catch (error) {
      if (controller.signal.aborted) return;
      $("banner").textContent = t("sandbox.page.connection_lost");
      $("banner").hidden = false;
      await new Promise((resolve) => setTimeout(resolve, 2000)); // back off before retrying
    }
  }
}

function applyEvent(event) {
  if (event.kind === "callback_answer") {
    if (event.answer.text) toast(event.answer.text, event.answer.show_alert);
    return;
  }
  const message = event.message;
  const existing = state.nodes.get(message.message_id);
  if (event.kind === "delete") {
    if (existing) existing.remove();
    state.nodes.delete(message.message_id);
    state.raw.delete(message.message_id);
    if (!state.nodes.size) renderEmpty();
    return;
  }
  const node = renderMessage(message);
  if (existing) existing.replaceWith(node);
  else {
    const empty = $("chat").querySelector(".empty");
    if (empty) empty.remove();
    $("chat").append(node);
  }
  state.nodes.set(message.message_id, node);
  state.raw.set(message.message_id, message);
  $("chat").scrollTop = $("chat").scrollHeight;
}

function renderEmpty() {
  if ($("chat").children.length) return;
  const p = document.createElement("p");
  p.className = "empty";
  p.textContent = t("sandbox.page.empty_chat");
  $("chat").append(p);
}

// --- rendering messages ----------------------------------------------------------------------

const TAGS = {bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code", pre: "pre",
              text_link: "a", url: "a", spoiler: "span", blockquote: "blockquote",
              expandable_blockquote: "blockquote"};

function safeUrl(url) {
  return /^(https?:|tg:)/i.test(url || "") ? url : null;
}

// Entities are nested (they come from Telegram's parser), offsets count UTF-16 units like JS.
function renderEntities(text, entities, start, end, parent) {
  let pos = start;
  const inside = entities.filter((e) => e.offset >= start && e.offset + e.length <= end)
    .sort((a, b) => a.offset - b.offset || b.length - a.length);
  let i = 0;
  while (i < inside.length) {
    const entity = inside[i];
    if (entity.offset < pos) { i++; continue; }
    if (entity.offset > pos) parent.append(text.slice(pos, entity.offset));
    const stop = entity.offset + entity.length;
    const tag = TAGS[entity.type];
    let el = null;
    if (tag === "a") {
      const href = safeUrl(entity.type === "url" ? text.slice(entity.offset, stop) : entity.url);
      if (href) { el = document.createElement("a"); el.href = href; el.target = "_blank"; el.rel = "noopener noreferrer"; }
    } else if (tag) {
      el = document.createElement(tag);
    }
    const nested = inside.filter((e) => e !== entity && e.offset >= entity.offset && e.offset + e.length <= stop);
    const target = el || document.createDocumentFragment();
    renderEntities(text, nested, entity.offset, stop, target);
    parent.append(target);
    pos = stop;
    i = inside.findIndex((e, j) => j > i && e.offset >= stop);
    if (i < 0) break;
  }
  if (pos < end) parent.append(text.slice(pos, end));
}

// Zalo sends plain text and its app turns addresses into links (a file link, for one).
function autoLinks(text) {
  return Array.from(text.matchAll(/https?:\/\/[^\s]+/g),
    (m) => ({type: "url", offset: m.index, length: m[0].length}));
}

function fileUrl(fileId) {
  return `/sandbox/files/${encodeURIComponent(fileId)}`;
}

function renderMessage(message) {
  const fromBot = Boolean(message.from && message.from.is_bot);
  const node = document.createElement("div");
  node.className = `msg ${fromBot ? "bot" : "user"}`;
  node.dataset.testid = "message";
  node.dataset.from = fromBot ? "bot" : "user";
  node.dataset.messageId = String(message.message_id);
  if (safeUrl(message.photo_url)) {  // Zalo: photos travel as URLs
    const img = document.createElement("img");
    img.src = message.photo_url;
    img.alt = "";
    img.dataset.testid = "photo";
    node.append(img);
  }
  if (message.photo && message.photo.length) {
    const img = document.createElement("img");
    img.src = fileUrl(message.photo[message.photo.length - 1].file_id);
    img.alt = "";
    img.dataset.testid = "photo";
    node.append(img);
  }
  if (message.document) {
    const link = document.createElement("a");
    link.className = "doc";
    link.href = fileUrl(message.document.file_id);
    link.download = message.document.file_name || "file";
    link.dataset.testid = "document";
    link.append(message.document.file_name || t("sandbox.page.download"));
    node.append(link);
  }
  const text = message.text || message.caption || "";
  if (text) {
    const body = document.createElement("div");
    body.className = "body";
    body.dataset.testid = "message-text";
    const entities = message.entities || message.caption_entities || autoLinks(text);
    renderEntities(text, entities, 0, text.length, body);
    node.append(body);
  }
  if (message.edit_date) {
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = t("sandbox.page.edited");
    node.append(meta);
  }
  const keyboard = message.reply_markup && message.reply_markup.inline_keyboard;
  if (fromBot && keyboard) node.append(renderInlineKeyboard(message, keyboard));
  return node;
}

function renderInlineKeyboard(message, rows) {
  const box = document.createElement("div");
  box.className = "inline-keyboard";
  for (const row of rows) {
    const line = document.createElement("div");
    line.className = "inline-row";
    for (const button of row) {
      let el;
      const href = safeUrl(button.url);
      if (href) {
        el = document.createElement("a");
        el.href = href; el.target = "_blank"; el.rel = "noopener noreferrer";
      } else {
        el = document.createElement("button");
        el.type = "button";
        if (button.callback_data !== undefined) el.addEventListener("click", () => press(message, button.callback_data));
        else el.disabled = true;
      }
      el.textContent = button.text;
      el.dataset.testid = "inline-button";
      line.append(el);
    }
    box.append(line);
  }
  return box;
}

function renderKeyboard(markup) {
  const box = $("reply-keyboard");
  box.replaceChildren();
  if (!markup || !markup.keyboard) { box.hidden = true; return; }
  for (const row of markup.keyboard) {
    const line = document.createElement("div");
    line.className = "row";
    for (const button of row) {
      const label = typeof button === "string" ? button : button.text;
      const el = document.createElement("button");
      el.type = "button";
      el.textContent = label;
      el.dataset.testid = "reply-button";
      el.addEventListener("click", () => sendText(label));
      line.append(el);
    }
    box.append(line);
  }
  box.hidden = false;
  if (markup.input_field_placeholder) $("text").placeholder = markup.input_field_placeholder;
}

function renderMenu() {
  const menu = $("menu");
  menu.replaceChildren();
  if (!state.commands.length) {
    const none = document.createElement("div");
    none.className = "none";
    none.textContent = t("sandbox.page.menu_empty");
    menu.append(none);
  }
  for (const command of state.commands) {
    const el = document.createElement("button");
    el.type = "button";
    el.dataset.testid = "command-item";
    const name = document.createElement("span");
    name.className = "cmd";
    name.textContent = `/${command.command}`;
    el.append(name, command.description);
    el.addEventListener("click", () => { menu.hidden = true; sendText(`/${command.command}`); });
    menu.append(el);
  }
}

// --- acting as the person --------------------------------------------------------------------

function identity() {
  const p = state.person;
  return {user_id: p.user_id, first_name: p.first_name, last_name: p.last_name || undefined,
          language_code: p.language_code || state.lang};
}

async function sendText(text) {
  if (!state.person || !text.trim()) return;
  if (onZalo()) {
    try {
      await api("/sandbox/api/zalo/send", {method: "POST", headers: {"Content-Type": "application/json"},
                                           body: JSON.stringify({...zaloIdentity(), text})});
    } catch (error) {
      toast(t("sandbox.page.send_failed"));
    }
    return;
  }
  try {
    await api("/sandbox/api/send", {method: "POST", headers: {"Content-Type": "application/json"},
                                    body: JSON.stringify({...identity(), text})});
  } catch (error) {
    toast(t("sandbox.page.send_failed"));
  }
}

async function press(message, data) {
  try {
    await api("/sandbox/api/press", {method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({...identity(), chat_id: message.chat.id, message_id: message.message_id, data})});
  } catch (error) {
    toast(t("sandbox.page.send_failed"));
  }
}

function zaloIdentity() {
  const p = state.person;
  return {user_id: zaloId(p.user_id), display_name: [p.first_name, p.last_name].filter(Boolean).join(" ")};
}

async function upload(file) {
  if (!state.person || !file) return;
  if (onZalo()) {  // Zalo bots receive images only
    const form = new FormData();
    for (const [key, value] of Object.entries(zaloIdentity())) form.append(key, value);
    form.append("file", file, file.name);
    try { await api("/sandbox/api/zalo/image", {method: "POST", body: form}); }
    catch (error) { toast(t("sandbox.page.send_failed")); }
    return;
  }
  const form = new FormData();
  for (const [key, value] of Object.entries(identity())) if (value !== undefined) form.append(key, String(value));
  form.append("file", file, file.name);
  try { await api("/sandbox/api/upload", {method: "POST", body: form}); }
  catch (error) { toast(t("sandbox.page.send_failed")); }
}

let toastTimer = null;
function toast(text, alert) {
  const el = $("toast");
  el.textContent = text;
  el.className = alert ? "toast alert" : "toast";
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, alert ? 6000 : 3000);
}

// --- wiring ----------------------------------------------------------------------------------

function wire() {
  $("person").addEventListener("change", (event) => {
    const value = event.target.value;
    $("custom").hidden = value !== CUSTOM;
    if (value === CUSTOM) { $("custom-id").focus(); return; }
    const person = state.people.find((p) => String(p.user_id) === value);
    if (person) choosePerson(person);
  });
  $("custom-use").addEventListener("click", () => {
    const id = parseInt($("custom-id").value, 10);
    const name = $("custom-name").value.trim();
    if (!(id > 0) || !name) return;
    choosePerson({user_id: id, first_name: name, last_name: null, language_code: state.lang});
  });
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("text").value;
    $("text").value = "";
    sendText(text);
  });
  $("menu-button").addEventListener("click", () => { renderMenu(); $("menu").hidden = !$("menu").hidden; });
  $("attach").addEventListener("click", () => $("file").click());
  $("file").addEventListener("change", (event) => { upload(event.target.files[0]); event.target.value = ""; });
  $("lang").addEventListener("change", (event) => {
    state.lang = event.target.value;
    localStorage.setItem("sandbox.lang", state.lang);
    loadStrings().catch(() => {});
  });
  $("toast").addEventListener("click", () => { $("toast").hidden = true; });
  $("channel").addEventListener("change", (event) => {
    state.channel = event.target.value === "zalo" ? "zalo" : "telegram";
    localStorage.setItem("sandbox.channel", state.channel);
    renderChannel();
    if (state.person) choosePerson(state.person);
  });
}

async function main() {
  wire();
  renderChannel();
  try {
    await loadStrings();
    await loadPeople();
  } catch (error) {
    $("banner").textContent = t("sandbox.page.connection_lost");
    $("banner").hidden = false;
  }
  renderEmpty();
}

main();

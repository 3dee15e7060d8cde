// The sandbox page: renders what the Slack stand-in holds (Block Kit messages, ephemerals, modals,
// the Home tab) and turns clicks into requests that the sandbox signs and sends to /slack/events.
// Plain JS, no build step.
"use strict";

const EMOJI = {
  white_check_mark: "✅", warning: "⚠️", tada: "🎉", sunrise: "🌅", scales: "⚖️",
  page_facing_up: "📄", information_source: "ℹ️", inbox_tray: "📥", hourglass: "⌛",
  handshake: "🤝", grey_question: "❔", alarm_clock: "⏰", x: "❌", star: "⭐",
  eyes: "👀", memo: "📝", calendar: "📆", bell: "🔔", lock: "🔒", wastebasket: "🗑️",
  hourglass_flowing_sand: "⏳", email: "📧", mag: "🔍", bust_in_silhouette: "👤",
};

const ui = {
  user: localStorage.getItem("sandbox.user") || "U0SBALICE",
  pane: "channel",
  thread: null,        // ts of the open thread
  state: null,
  renderedKeys: {},    // what each region last rendered, to leave unchanged DOM alone
  localErrors: {},     // view id -> {block_id: text}: required fields Slack's client checks itself
  busy: false,
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "html") node.innerHTML = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function escapeHtml(text) {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

// --- mrkdwn ---------------------------------------------------------------------------------------

function personName(id) {
  const person = (ui.state?.people || []).find((p) => p.id === id);
  if (person) return person.name;
  if (ui.state && id === ui.state.bot.id) return ui.state.bot.name;
  return id;
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
  "September", "October", "November", "December"];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

function ordinal(n) {
  const s = ["th", "st", "nd", "rd"], v = n % 100;
  return n + (s[(v - 20) % 10] || s[v] || s[0]);
}

function sandboxNow() {
  return ui.state ? new Date(ui.state.clock.now) : new Date();
}

function formatSlackDate(seconds, format) {
  const d = new Date(seconds * 1000);
  const now = sandboxNow();
  const dayDiff = Math.round((new Date(d.getFullYear(), d.getMonth(), d.getDate()) -
    new Date(now.getFullYear(), now.getMonth(), now.getDate())) / 86400000);
  const pretty = { "0": "today", "-1": "yesterday", "1": "tomorrow" }[String(dayDiff)];
  const num = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  const date = `${MONTHS[d.getMonth()]} ${ordinal(d.getDate())}, ${d.getFullYear()}`;
  const short = `${MONTHS[d.getMonth()].slice(0, 3)} ${d.getDate()}, ${d.getFullYear()}`;
  const long = `${DAYS[d.getDay()]}, ${date}`;
  const hours = d.getHours() % 12 || 12, ampm = d.getHours() < 12 ? "AM" : "PM";
  const minutes = String(d.getMinutes()).padStart(2, "0");
  const tokens = {
    date_num: num, date, date_short: short, date_long: long,
    date_pretty: pretty || date, date_short_pretty: pretty || short, date_long_pretty: pretty || long,
    time: `${hours}:${minutes} ${ampm}`,
    time_secs: `${hours}:${minutes}:${String(d.getSeconds()).padStart(2, "0")} ${ampm}`,
  };
  return format.replace(/\{(\w+)\}/g, (all, key) => tokens[key] ?? all);
}

function unescapeSlack(text) {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

function token(inner) {
  // inner is what sat between < and >: @U123, #C123|name, !date^…, !here, url|label
  if (inner.startsWith("@")) {
    const id = inner.slice(1).split("|")[0];
    return `<span class="mention" data-user="${escapeHtml(id)}">@${escapeHtml(personName(id))}</span>`;
  }
  if (inner.startsWith("#")) {
    const [id, name] = inner.slice(1).split("|");
    return `<span class="mention">#${escapeHtml(name || id)}</span>`;
  }
  if (inner.startsWith("!date^")) {
    const [spec, fallback] = inner.split("|");
    const parts = spec.split("^");
    const seconds = Number(parts[1]);
    if (!Number.isFinite(seconds)) return escapeHtml(unescapeSlack(fallback || ""));
    const shown = escapeHtml(formatSlackDate(seconds, parts[2] || "{date}"));
    return parts[3] ? `<a href="${escapeHtml(parts[3])}" target="_blank" rel="noopener">${shown}</a>` : `<time title="${escapeHtml(unescapeSlack(fallback || ""))}">${shown}</time>`;
  }
  if (inner.startsWith("!")) {
    const name = inner.slice(1).split("|")[0];
    return `<span class="mention">@${escapeHtml(name)}</span>`;
  }
  const [url, label] = inner.split("|");
  const href = unescapeSlack(url);
  const safe = /^(https?:|mailto:)/i.test(href) ? href : "#";
  return `<a href="${escapeHtml(safe)}" target="_blank" rel="noopener">${escapeHtml(unescapeSlack(label || url))}</a>`;
}

function styleSpans(html) {
  return html
    .replace(/(^|[\s(>])\*([^*\n]+)\*(?=$|[\s).,!?:;<])/g, "$1<b>$2</b>")
    .replace(/(^|[\s(>])_([^_\n]+)_(?=$|[\s).,!?:;<])/g, "$1<i>$2</i>")
    .replace(/(^|[\s(>])~([^~\n]+)~(?=$|[\s).,!?:;<])/g, "$1<s>$2</s>");
}

function mrkdwn(text) {
  if (!text) return "";
  // Pull out code first so nothing inside it is formatted.
  const codes = [];
  let source = String(text).replace(/```([\s\S]*?)```/g, (all, code) => {
    codes.push(`<pre>${escapeHtml(unescapeSlack(code))}</pre>`);
    return `\u0000${codes.length - 1}\u0000`;
  }).replace(/`([^`\n]+)`/g, (all, code) => {
    codes.push(`<code>${escapeHtml(unescapeSlack(code))}</code>`);
    return `\u0000${codes.length - 1}\u0000`;
  });
  let html = "";
  let last = 0;
  for (const match of source.matchAll(/<([^<>]+)>/g)) {
    html += escapeHtml(unescapeSlack(source.slice(last, match.index)));
    html += token(match[1]);
    last = match.index + match[0].length;
  }
  html += escapeHtml(unescapeSlack(source.slice(last)));
  html = styleSpans(html);
  html = html.replace(/:([a-z0-9_+-]+):/g, (all, name) => EMOJI[name] || all);
  html = html.split("\n").map((line) => line.startsWith("&gt;")
    ? `<blockquote>${line.replace(/^&gt;\s?/, "") || "&nbsp;"}</blockquote>` : line).join("\n")
    .replace(/<\/blockquote>\n<blockquote>/g, "<br>").replace(/\n/g, "<br>");
  html = html.replace(/\u0000(\d+)\u0000/g, (all, i) => codes[Number(i)]);
  return html;
}

function textHtml(obj) {
  if (!obj) return "";
  if (obj.type === "mrkdwn") return mrkdwn(obj.text);
  let plain = escapeHtml(obj.text || "");
  if (obj.emoji !== false) plain = plain.replace(/:([a-z0-9_+-]+):/g, (all, name) => EMOJI[name] || all);
  return plain;
}

function plainText(obj) {
  return obj ? String(obj.text || "") : "";
}

// --- Block Kit --------------------------------------------------------------------------------------

// ctx: {surface: "message"|"ephemeral"|"modal"|"home", source: {...}, errors: {block_id: text}}
function renderBlocks(blocks, ctx) {
  const out = el("div", { class: "blocks" });
  (blocks || []).forEach((block, index) => {
    const blockId = block.block_id || `b${index}`;
    const node = renderBlock(block, blockId, ctx);
    if (node) out.append(node);
  });
  return out;
}

function renderBlock(block, blockId, ctx) {
  switch (block.type) {
    case "header":
      return el("div", { class: "block header", html: textHtml(block.text) });
    case "divider":
      return el("hr", { class: "block divider" });
    case "context":
      return el("div", { class: "block context" }, (block.elements || []).map((item) =>
        item.type === "image"
          ? el("img", { src: item.image_url, alt: item.alt_text, width: 16, height: 16 })
          : el("span", { html: textHtml(item) })));
    case "section": {
      const main = el("div", { class: "section-main" });
      if (block.text) main.append(el("div", { class: "section-text", html: textHtml(block.text) }));
      if (block.fields) {
        main.append(el("div", { class: "fields" }, block.fields.map((f) => el("div", { html: textHtml(f) }))));
      }
      const node = el("div", { class: "block section", "data-block-id": blockId }, main);
      if (block.accessory) node.append(renderElement(block.accessory, blockId, ctx));
      return node;
    }
    case "actions":
      return el("div", { class: "block actions", "data-block-id": blockId },
        (block.elements || []).map((item) => renderElement(item, blockId, ctx)));
    case "image":
      return el("div", { class: "block image" }, el("img", { src: block.image_url, alt: block.alt_text, style: "max-width:100%" }));
    case "input":
      return renderInput(block, blockId, ctx);
    default:
      return el("div", { class: "block unknown" }, `[${block.type} block]`);
  }
}

function renderElement(item, blockId, ctx) {
  const act = (extra) => sendAction(ctx, { action_id: item.action_id, block_id: blockId, type: item.type, ...extra }, item.confirm);
  switch (item.type) {
    case "button":
      return el("button", {
        type: "button",
        class: `sk ${item.style || ""}`,
        "data-action-id": item.action_id,
        onclick: () => {
          if (item.url) window.open(item.url, "_blank", "noopener");  // a link button also sends its action
          act({ value: item.value, text: item.text });
        },
      }, plainText(item.text));
    case "overflow":
      return el("button", {
        type: "button",
        class: "sk overflow",
        "aria-label": "More actions",
        "data-action-id": item.action_id,
        onclick: (event) => openMenu(event.currentTarget, item.options || [], (option) => act({ selected_option: option })),
      }, "⋯");
    case "static_select": {
      const select = selectFor(item, blockId, ctx);
      select.addEventListener("change", () => {
        const option = findOption(item, select.value);
        if (option) act({ selected_option: option });
      });
      return select;
    }
    case "datepicker": {
      const input = el("input", { type: "date", class: "sk", value: item.initial_date, "data-action-id": item.action_id });
      input.addEventListener("change", () => act({ selected_date: input.value }));
      return input;
    }
    case "image":
      return el("img", { src: item.image_url, alt: item.alt_text, width: 60, height: 60 });
    default:
      return el("span", { class: "unknown" }, `[${item.type}]`);
  }
}

function allOptions(item) {
  return (item.options || []).concat(...(item.option_groups || []).map((g) => g.options || []));
}

function findOption(item, value) {
  return allOptions(item).find((o) => o.value === value);
}

function selectFor(item, blockId, ctx) {
  const select = el("select", { class: "sk", "data-action-id": item.action_id, "data-block-id": blockId });
  select.append(el("option", { value: "" }, plainText(item.placeholder) || "Choose…"));
  for (const option of allOptions(item)) {
    select.append(el("option", { value: option.value }, plainText(option.text)));
  }
  if (item.initial_option) select.value = item.initial_option.value;
  return select;
}

// Inputs in a modal: their values make up view.state.values on submit.
function renderInput(block, blockId, ctx) {
  const item = block.element || {};
  const error = (ctx.errors || {})[blockId];
  const id = `in-${blockId}-${item.action_id}`;
  const label = el("label", { class: "lbl", for: id }, plainText(block.label),
    block.optional ? el("span", { class: "optional" }, " (optional)") : null);
  let control;
  switch (item.type) {
    case "plain_text_input":
      control = item.multiline
        ? el("textarea", { id, placeholder: plainText(item.placeholder), maxlength: item.max_length })
        : el("input", { id, type: "text", placeholder: plainText(item.placeholder), maxlength: item.max_length });
      control.value = item.initial_value || "";
      break;
    case "number_input":
      control = el("input", { id, type: "number", step: item.is_decimal_allowed ? "any" : "1",
        min: item.min_value, max: item.max_value });
      control.value = item.initial_value || "";
      break;
    case "static_select":
      control = selectFor(item, blockId, ctx);
      control.id = id;
      break;
    case "datepicker":
      control = el("input", { id, type: "date" });
      control.value = item.initial_date || "";
      break;
    case "radio_buttons":
    case "checkboxes": {
      const kind = item.type === "radio_buttons" ? "radio" : "checkbox";
      const initial = item.type === "radio_buttons"
        ? [item.initial_option?.value]
        : (item.initial_options || []).map((o) => o.value);
      control = el("div", { id }, (item.options || []).map((o) => el("label", { class: "choice" },
        el("input", { type: kind, name: id, value: o.value, checked: initial.includes(o.value) }),
        " ", el("span", { html: textHtml(o.text) }))));
      break;
    }
    default:
      control = el("span", {}, `[${item.type}]`);
  }
  control.dataset.kind = item.type;
  control.dataset.actionId = item.action_id;
  control.dataset.blockId = blockId;
  control.classList.add("sb-input");
  return el("div", { class: `block input-block${error ? " has-error" : ""}`, "data-block-id": blockId },
    label, control,
    block.hint ? el("div", { class: "hint" }, plainText(block.hint)) : null,
    error ? el("div", { class: "field-error", role: "alert" }, error) : null);
}

function collectValues(root, view) {
  const values = {};
  const byAction = {};
  for (const [index, block] of (view.blocks || []).entries()) {
    if (block.type === "input" && block.element) {
      byAction[`${block.block_id || `b${index}`}/${block.element.action_id}`] = block.element;
    }
  }
  for (const control of root.querySelectorAll(".sb-input")) {
    const { kind, actionId, blockId } = control.dataset;
    const item = byAction[`${blockId}/${actionId}`] || {};
    let entry = { type: kind };
    if (kind === "plain_text_input" || kind === "number_input") entry.value = control.value === "" ? null : control.value;
    else if (kind === "static_select") entry.selected_option = findOption(item, control.value) || null;
    else if (kind === "datepicker") entry.selected_date = control.value || null;
    else if (kind === "radio_buttons") {
      const checked = control.querySelector("input:checked");
      entry.selected_option = checked ? findOption(item, checked.value) : null;
    } else if (kind === "checkboxes") {
      entry.selected_options = [...control.querySelectorAll("input:checked")].map((c) => findOption(item, c.value));
    }
    (values[blockId] ||= {})[actionId] = entry;
  }
  return values;
}

// --- menus and confirm dialogs ---------------------------------------------------------------------

function openMenu(anchor, options, choose) {
  const layer = $("menu-layer");
  layer.innerHTML = "";
  const rect = anchor.getBoundingClientRect();
  const menu = el("div", { class: "menu", role: "menu", style: `top:${rect.bottom + 4}px;left:${Math.max(8, rect.right - 200)}px` },
    options.map((option) => el("button", { type: "button", role: "menuitem", onclick: () => { layer.hidden = true; choose(option); } },
      plainText(option.text))));
  layer.append(menu);
  layer.hidden = false;
  layer.onclick = (event) => { if (event.target === layer) layer.hidden = true; };
}

function confirmFirst(confirm) {
  if (!confirm) return Promise.resolve(true);
  return new Promise((resolve) => {
    const layer = $("confirm-layer");
    const done = (answer) => { layer.hidden = true; layer.innerHTML = ""; resolve(answer); };
    layer.innerHTML = "";
    layer.append(el("div", { class: "modal confirm", role: "dialog", "aria-label": plainText(confirm.title) },
      el("div", { class: "modal-head" }, el("h2", {}, plainText(confirm.title))),
      el("div", { class: "modal-body", html: textHtml(confirm.text) }),
      el("div", { class: "modal-foot" },
        el("button", { type: "button", class: "sk", onclick: () => done(false) }, plainText(confirm.deny) || "Cancel"),
        el("button", { type: "button", class: `sk ${confirm.style === "danger" ? "danger" : "primary"}`, onclick: () => done(true) },
          plainText(confirm.confirm) || "Yes"))));
    layer.hidden = false;
  });
}

// --- talking to the sandbox ------------------------------------------------------------------------

async function post(path, body) {
  const response = await fetch(`/sandbox/api/${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ user: ui.user, ...body }),
  });
  let answer = {};
  try { answer = await response.json(); } catch (error) { answer = { ok: false, error: "no answer" }; }
  if (!answer.ok && answer.error) toast(answer.error);
  await refresh(true);
  return answer;
}

async function sendAction(ctx, action, confirm) {
  if (!(await confirmFirst(confirm))) return;
  const body = { action, source: ctx.source };
  if (ctx.root && ctx.view) body.values = collectValues(ctx.root, ctx.view);
  await post("action", body);
}

function toast(text) {
  const node = el("div", { class: "toast", role: "status" }, text);
  document.body.append(node);
  setTimeout(() => node.remove(), 4000);
}

// --- rendering the state ---------------------------------------------------------------------------

function avatar(name) {
  return el("div", { class: "avatar", "aria-hidden": "true" }, name.slice(0, 1).toUpperCase());
}

function timeOf(ts) {
  const d = new Date(Number(ts) * 1000);
  return d.toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
}

function renderMessage(message, ctx, { replies = 0 } = {}) {
  const name = personName(message.user);
  const node = el("div", { class: `message${ctx.surface === "ephemeral" ? " ephemeral" : ""}`, "data-ts": message.ts });
  const body = el("div", { class: "body" });
  if (ctx.surface === "ephemeral") {
    body.append(el("div", { class: "only-you" }, "👁 Only visible to you",
      el("button", { type: "button", class: "dismiss", onclick: () => post("dismiss", { ts: message.ts }) }, "Dismiss")));
  }
  body.append(el("div", { class: "meta" }, el("span", { class: "name" }, name),
    message.bot_id ? el("span", { class: "app-tag" }, "APP") : null, timeOf(message.ts)));
  if (message.blocks && message.blocks.length) body.append(renderBlocks(message.blocks, ctx));
  else if (message.text && message.text.trim()) body.append(el("div", { class: "text", html: mrkdwn(message.text) }));
  for (const file of message.files || []) {
    body.append(el("div", { class: "file" }, "📎 ", el("b", {}, file.title || file.name),
      file.title && file.title !== file.name ? ` (${file.name})` : ""));
  }
  if (replies) {
    body.append(el("button", { type: "button", class: "thread-link", onclick: () => openThread(message.ts) },
      `${replies} ${replies === 1 ? "reply" : "replies"}`));
  }
  node.append(avatar(name), body);
  return node;
}

function messageCtx(message, kind) {
  return {
    surface: kind,
    source: { kind: kind === "ephemeral" ? "ephemeral" : "message", channel: message.channel || ui.state.channel.id, ts: message.ts },
  };
}

function replace(region, key, build) {
  if (ui.renderedKeys[region] === key) return;
  ui.renderedKeys[region] = key;
  build();
}

function clockLabel(clock) {
  return `🕘 ${clock.label}${clock.offset_days ? ` (+${clock.offset_days} d)` : ""}`;
}

function render() {
  const s = ui.state;
  if (!s) return;
  const select = $("user-select");
  if (!select.options.length) {
    for (const p of s.people) select.append(el("option", { value: p.id }, `${p.name} — ${p.role}`));
  }
  select.value = ui.user;
  $("clock-label").textContent = clockLabel(s.clock);
  replace("jumps", JSON.stringify(s.deadlines), () => {
    const jump = $("jump-select");
    jump.innerHTML = "";
    for (const d of s.deadlines) jump.append(el("option", { value: d.to }, d.label));
    $("jump-button").disabled = !s.deadlines.length;
  });
  $("spec-note").textContent = s.spec_note;
  const problems = s.violations.length + s.problems.length;
  $("violation-count").textContent = problems ? String(problems) : "";
  $("dm-count").textContent = s.dms.length ? String(s.dms.length) : "";
  for (const nav of document.querySelectorAll("a.nav")) nav.classList.toggle("active", nav.dataset.pane === ui.pane);
  for (const pane of ["channel", "home", "dms", "checks"]) $(`pane-${pane}`).hidden = ui.pane !== pane;

  const top = s.messages.filter((m) => !m.thread_ts || m.thread_ts === m.ts);
  const replyCount = {};
  for (const m of s.messages) if (m.thread_ts && m.thread_ts !== m.ts) replyCount[m.thread_ts] = (replyCount[m.thread_ts] || 0) + 1;
  const mine = s.ephemerals.filter((e) => e.channel === s.channel.id);
  $("channel-sub").textContent = `${top.length} messages`;
  replace("channel", JSON.stringify([s.me, top, mine, replyCount]), () => {
    const box = $("messages");
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
    const scrolled = box.scrollTop;
    box.innerHTML = "";
    const items = top.map((m) => ({ m, kind: "message" })).concat(mine.map((m) => ({ m, kind: "ephemeral" })))
      .sort((a, b) => Number(a.m.ts) - Number(b.m.ts));
    if (!items.length) box.append(el("div", { class: "empty" }, "No messages yet: the outbox posts the cards in a moment."));
    for (const { m, kind } of items) box.append(renderMessage(m, messageCtx(m, kind), { replies: replyCount[m.ts] || 0 }));
    // Follow new messages when already at the bottom; otherwise stay where the reader is.
    if (atBottom || !ui.renderedKeys.scrolled) { box.scrollTop = box.scrollHeight; ui.renderedKeys.scrolled = true; }
    else box.scrollTop = scrolled;
  });
  replace("thread", JSON.stringify([ui.thread, s.messages.filter((m) => m.thread_ts === ui.thread)]), () => {
    $("thread").hidden = !ui.thread;
    const box = $("thread-messages");
    box.innerHTML = "";
    if (!ui.thread) return;
    for (const m of s.messages.filter((x) => x.ts === ui.thread || x.thread_ts === ui.thread)) {
      box.append(renderMessage(m, messageCtx(m, "message")));
    }
  });
  const dmEphemerals = s.ephemerals.filter((e) => e.channel !== s.channel.id);
  replace("dms", JSON.stringify([s.me, s.dms, dmEphemerals]), () => {
    const box = $("dms");
    box.innerHTML = "";
    if (!s.dms.length && !dmEphemerals.length) box.append(el("div", { class: "empty" }, "No direct messages from the bot yet."));
    const items = s.dms.map((m) => ({ m, kind: "message" })).concat(dmEphemerals.map((m) => ({ m, kind: "ephemeral" })))
      .sort((a, b) => Number(a.m.ts) - Number(b.m.ts));
    for (const { m, kind } of items) box.append(renderMessage(m, messageCtx(m, kind)));
  });
  replace("home", JSON.stringify([s.me, s.home]), () => {
    const box = $("home");
    box.innerHTML = "";
    if (!s.home) { box.append(el("div", { class: "empty" }, "Opening the Home tab…")); return; }
    const ctx = { surface: "home", source: { kind: "home", view_id: s.home.id } };
    ctx.view = s.home;
    ctx.root = box;
    box.append(renderBlocks(s.home.blocks, ctx));
  });
  replace("checks", JSON.stringify([s.violations, s.problems, s.warnings, s.activity]), () => {
    const box = $("checks");
    box.innerHTML = "";
    box.append(el("p", {}, s.spec_note));
    if (!s.violations.length && !s.problems.length) box.append(el("p", { class: "ok" }, "✅ No violations: every call so far matched Slack's spec and Block Kit rules."));
    if (s.violations.length) {
      box.append(el("h4", {}, `${s.violations.length} Web API violation(s)`));
      box.append(el("ol", {}, s.violations.map((v) => el("li", { class: "violation" }, v))));
    }
    if (s.problems.length) {
      box.append(el("h4", {}, `${s.problems.length} problem(s) answering Slack`));
      box.append(el("ol", {}, s.problems.map((v) => el("li", { class: "violation" }, v))));
    }
    if (s.warnings.length) {
      box.append(el("h4", {}, `${s.warnings.length} slow answer(s)`));
      box.append(el("ol", {}, s.warnings.map((v) => el("li", { class: "violation" }, v))));
    }
    const log = $("activity");
    log.innerHTML = "";
    for (const a of s.activity.slice().reverse()) log.append(el("li", {}, `${a.at} ${a.user ? personName(a.user) + ": " : ""}${a.text}`));
  });
  renderModal();
}

function renderModal() {
  const s = ui.state;
  const stack = s.modals || [];
  const view = stack[stack.length - 1];
  const errors = view ? { ...(s.modal_errors[view.id] || {}), ...(ui.localErrors[view.id] || {}) } : {};
  // Re-render only when the view itself changes (view.hash) or its errors do: typing is kept.
  replace("modal", JSON.stringify([s.me, view ? view.id : null, view ? view.hash : null, errors]), () => {
    const layer = $("modal-layer");
    const kept = layer.querySelector(".modal-body") && view && ui.renderedKeys.modalView === view.id
      ? collectValuesSafe(layer) : null;
    layer.innerHTML = "";
    ui.renderedKeys.modalView = view ? view.id : null;
    if (!view) { layer.hidden = true; return; }
    const body = el("div", { class: "modal-body" });
    const ctx = { surface: "modal", source: { kind: "modal", view_id: view.id }, errors, view, root: body };
    body.append(renderBlocks(view.blocks, ctx));
    if (kept) restoreValues(body, kept);
    const close = () => post("close", { view_id: view.id });
    const submit = async (event) => {
      event.preventDefault();
      const values = collectValues(body, view);
      // Like Slack's own client: a required field left empty never reaches the app.
      const missing = requiredMissing(view, values);
      ui.localErrors[view.id] = missing;
      if (Object.keys(missing).length) { render(); return; }
      await post("submit", { view_id: view.id, values });
    };
    const form = el("form", { class: "modal", role: "dialog", "aria-label": plainText(view.title), onsubmit: submit },
      el("div", { class: "modal-head" }, el("span", {}, plainText(view.title)),
        el("button", { type: "button", "aria-label": "Close", onclick: close }, "×")),
      stack.length > 1 ? el("div", { class: "stack-note" }, `${stack.length} views in this stack`) : null,
      body,
      el("div", { class: "modal-foot" },
        el("button", { type: "button", class: "sk", onclick: close }, plainText(view.close) || "Cancel"),
        view.submit ? el("button", { type: "submit", class: "sk primary" }, plainText(view.submit)) : null));
    layer.append(form);
    layer.hidden = false;
  });
}

function requiredMissing(view, values) {
  const missing = {};
  (view.blocks || []).forEach((block, index) => {
    if (block.type !== "input" || block.optional || !block.element) return;
    const blockId = block.block_id || `b${index}`;
    const entry = (values[blockId] || {})[block.element.action_id] || {};
    const filled = entry.value || entry.selected_option || entry.selected_date ||
      (entry.selected_options && entry.selected_options.length);
    if (!filled) missing[blockId] = "Please complete this required field.";
    else if (block.element.min_length && String(entry.value || "").length < block.element.min_length) {
      missing[blockId] = `Must have at least ${block.element.min_length} characters.`;
    }
  });
  return missing;
}

function collectValuesSafe(layer) {
  const kept = {};
  for (const control of layer.querySelectorAll(".sb-input")) {
    const key = `${control.dataset.blockId}/${control.dataset.actionId}`;
    if ("value" in control && control.tagName !== "DIV") kept[key] = control.value;
    else kept[key] = [...control.querySelectorAll("input")].map((i) => i.checked);
  }
  return kept;
}

function restoreValues(root, kept) {
  for (const control of root.querySelectorAll(".sb-input")) {
    const value = kept[`${control.dataset.blockId}/${control.dataset.actionId}`];
    if (value === undefined) continue;
    if (Array.isArray(value)) control.querySelectorAll("input").forEach((i, n) => { i.checked = !!value[n]; });
    else control.value = value;
  }
}

// --- polling and controls --------------------------------------------------------------------------

let lastVersion = null;

async function refresh(force) {
  try {
    const known = !force && ui.state && ui.state.me === ui.user ? `&known=${ui.state.version}` : "";
    const response = await fetch(`/sandbox/api/state?user=${encodeURIComponent(ui.user)}${known}`, { cache: "no-store" });
    const state = await response.json();
    if (state.unchanged) {
      ui.state.clock = state.clock;
      $("clock-label").textContent = clockLabel(state.clock);
      return;
    }
    if (!force && lastVersion === `${ui.user}:${state.version}` && ui.state) return;
    lastVersion = `${ui.user}:${state.version}`;
    ui.state = state;
    render();
  } catch (error) {
    $("clock-label").textContent = "sandbox not reachable";
  }
}

function openThread(ts) {
  ui.thread = ts;
  render();
}

function showPane(pane) {
  ui.pane = pane;
  if (pane === "home") post("home", {});
  render();
}

function setup() {
  $("user-select").addEventListener("change", (event) => {
    ui.user = event.target.value;
    localStorage.setItem("sandbox.user", ui.user);
    ui.renderedKeys = {};
    if (ui.pane === "home") post("home", {});
    refresh(true);
  });
  for (const nav of document.querySelectorAll("a.nav")) {
    nav.addEventListener("click", (event) => { event.preventDefault(); showPane(nav.dataset.pane); });
  }
  $("thread-close").addEventListener("click", () => { ui.thread = null; render(); });
  $("composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("composer-input");
    const text = input.value.trim();
    if (!text) return;
    if (!text.startsWith("/")) { toast("The bot reads slash commands here: try /intern help"); return; }
    input.value = "";
    await post("command", { text, channel: ui.state ? ui.state.channel.id : undefined });
  });
  $("jump-button").addEventListener("click", () => {
    const to = $("jump-select").value;
    if (to) post("clock", { to });
  });
  $("day-button").addEventListener("click", () => post("clock", { days: 1 }));
  $("ingest-button").addEventListener("click", async () => {
    const answer = await post("ingest", {});
    if (answer.ok) toast(`Sample email: ${answer.outcome}`);
  });
  refresh(true);
  setInterval(() => refresh(false), 1000);
}

setup();

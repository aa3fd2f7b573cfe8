// routerforge web page: shared helpers (DOM building, the /api client, sections by URL hash) and the
// playground (route a request, show the decision, keep a history). reports.js adds the report browser.
// Every text from the server goes in through textContent, never innerHTML.
"use strict";

const RF = (window.RF = {});

RF.el = function (tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
};

RF.show = function (node, message) {  // an error box: visible with `message`, hidden without
  node.textContent = message || "";
  node.hidden = !message;
};

// The server's errors are {"error": {"type", "message"}}; this turns them into one readable line.
RF.api = async function (path, options) {
  let response;
  try {
    response = await fetch(path, options);
  } catch (err) {
    throw new Error(`Could not reach the server (${err.message}).`);
  }
  let body = null;
  try {
    body = await response.json();
  } catch (err) {
    body = null;
  }
  if (!response.ok) {
    const e = body && body.error;
    const what = e ? `${e.type}: ${e.message}` : response.statusText || "request failed";
    const error = new Error(`Error ${response.status} (${what})`);
    error.status = response.status;
    throw error;
  }
  return body;
};

RF.pct = (v) => (v === null || v === undefined ? "–" : `${(100 * v).toFixed(1)}%`);
RF.num = (v, digits = 3) => (v === null || v === undefined ? "–" : Number(v).toFixed(digits));
RF.fileUrl = (ref) => "/api/files/" + ref.split("/").map(encodeURIComponent).join("/");

// ---- sections ---------------------------------------------------------------------------------
const SECTIONS = ["playground", "reports", "sweeps"];
RF.onSection = {};  // name -> function(rest of the hash), filled by reports.js

function showSection(focus) {
  const hash = decodeURIComponent(location.hash.replace(/^#/, ""));
  const [name, ...rest] = hash.split("/");
  const current = SECTIONS.includes(name) ? name : "playground";
  for (const s of SECTIONS) document.getElementById(s).hidden = s !== current;
  for (const a of document.querySelectorAll("nav a[data-section]")) {
    if (a.dataset.section === current) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  if (RF.onSection[current]) RF.onSection[current](rest.join("/"));
  // keyboard users land on the request box in the playground, on the section's heading elsewhere
  if (focus) document.getElementById(current === "playground" ? "query" : `${current}-title`).focus();
}

// ---- playground -------------------------------------------------------------------------------
const EXAMPLES = ["What is 256 * 4?", "What time is it in Tokyo?", "A farmer has 16 eggs and eats 3. How many are left?", "Tell me a joke"];
const HISTORY_KEY = "routerforge.history.v1";
const HISTORY_MAX = 50;
let memoryHistory = [];

function loadHistory() {
  try {
    return JSON.parse(localStorage.getItem(HISTORY_KEY) || "[]");
  } catch (err) {  // storage disabled: keep it in this page's memory
    return memoryHistory;
  }
}

function saveHistory(items) {
  memoryHistory = items.slice(0, HISTORY_MAX);
  try {
    localStorage.setItem(HISTORY_KEY, JSON.stringify(memoryHistory));
  } catch (err) { /* memory only */ }
}

function renderHistory() {
  const items = loadHistory();
  const list = document.getElementById("history");
  list.replaceChildren(...items.map((item, i) => {
    const d = item.decision;
    const outcome = d.ok ? (d.result ?? d.answer ?? "") : `error: ${d.error}`;
    return RF.el("li", {},
      RF.el("button", { type: "button", class: "history-item", "data-index": i,
                        onclick: () => { document.getElementById("query").value = d.query; renderDecision(d, item.roundTripMs); } },
        RF.el("span", { class: "history-query", text: d.query }),
        RF.el("span", { class: "history-outcome" }, RF.el("code", { text: d.expert || "?" }), " → ", String(outcome))));
  }));
  document.getElementById("history-empty").hidden = items.length > 0;
}

function kv(label, id, ...value) {
  return [RF.el("dt", { text: label }), RF.el("dd", { id }, ...value)];
}

function confidenceView(c) {
  if (c === null || c === undefined) return [RF.el("span", { class: "muted", text: "not reported by this router" })];
  const bar = RF.el("span", { class: "meter-fill" });
  bar.style.width = `${Math.max(0, Math.min(1, c)) * 100}%`;
  return [RF.el("span", { class: "meter", role: "img", "aria-label": `${RF.pct(c)} confidence` }, bar), ` ${RF.num(c)}`];
}

function renderDecision(d, roundTripMs) {
  const ab = d.abstention;
  const abText = ab.abstained === true ? "Yes" : ab.abstained === false ? "No" : "Unknown";
  const alts = d.alternatives;
  const result = d.expert_class === "chat" ? RF.el("span", { class: "muted", text: "(chat passthrough: no expert result)" })
    : (d.result ?? RF.el("span", { class: "muted", text: "none" }));
  const card = RF.el("article", { class: "card decision", "aria-labelledby": "decision-title" },
    RF.el("h2", { id: "decision-title", text: "Decision" }),
    RF.el("p", { class: "decision-query" }, "for ", RF.el("q", { text: d.query })),
    RF.el("dl", { class: "kv" },
      kv("Expert", "d-expert", RF.el("code", { text: d.expert || "(none)" }), " ", RF.el("span", { class: "badge", text: d.expert_class })),
      kv("Spec", "d-spec", d.spec ? RF.el("code", { text: d.spec }) : RF.el("span", { class: "muted", text: "(empty)" })),
      kv("Result", "d-result", result),
      d.answer !== null && d.answer !== d.result && d.expert_class !== "chat" ? kv("Answer", "d-answer", d.answer) : [],
      kv("Status", "d-status", d.ok ? RF.el("span", { class: "ok", text: "ok" }) : RF.el("span", { class: "bad", text: `error: ${d.error}` })),
      kv("Confidence", "d-confidence", ...confidenceView(d.confidence)),
      kv("Latency", "d-latency", `${RF.num(d.latency_ms, 2)} ms in the router`,
         roundTripMs !== undefined ? `, ${roundTripMs.toFixed(0)} ms round trip` : ""),
      kv("Abstained", "d-abstention", RF.el("strong", { text: abText }), ` — ${ab.reason}`),
      d.raw ? kv("Raw output", "d-raw", RF.el("code", { text: d.raw })) : []),
    RF.el("h3", { text: "Alternatives" }),
    alts.available
      ? RF.el("ol", { id: "d-alternatives", class: "alternatives" }, alts.items.map((a) =>
          RF.el("li", {}, RF.el("code", { text: a.expert }), ` ${RF.num(a.probability)}`)))
      : RF.el("p", { id: "d-alternatives", class: "muted", text: `None shown: ${alts.note}.` }),
    Object.keys(d.extra || {}).length
      ? RF.el("details", {}, RF.el("summary", { text: "Other fields the router returned" }),
          RF.el("pre", { text: JSON.stringify(d.extra, null, 2) }))
      : null);
  document.getElementById("decision").replaceChildren(card);
}

async function submitRoute(event) {
  event.preventDefault();
  const input = document.getElementById("query");
  const button = document.getElementById("route-button");
  const errorBox = document.getElementById("route-error");
  RF.show(errorBox, "");
  button.disabled = true;
  button.textContent = "Routing…";
  const started = performance.now();
  try {
    const d = await RF.api("/api/route", { method: "POST", headers: { "Content-Type": "application/json" },
                                           body: JSON.stringify({ query: input.value }) });
    const roundTripMs = performance.now() - started;
    renderDecision(d, roundTripMs);
    saveHistory([{ decision: d, roundTripMs, at: new Date().toISOString() }, ...loadHistory()]);
    renderHistory();
  } catch (err) {
    document.getElementById("decision").replaceChildren();
    RF.show(errorBox, err.message);
  } finally {
    button.disabled = false;
    button.textContent = "Route";
    input.focus();
  }
}

async function loadInfo() {
  try {
    const info = await RF.api("/api/info");
    RF.info = info;
    const run = info.run ? ` · run ${info.run.name}` : "";
    document.getElementById("router-name").textContent = `router ${info.router}${run}`;
    if (info.run && info.run.kind === "plan") {
      RF.show(document.getElementById("plans-note"), `This is a route-plan run. ${info.plans_note}`);
    }
    if (info.max_query_chars) document.getElementById("query").maxLength = info.max_query_chars;
  } catch (err) {
    RF.show(document.getElementById("route-error"), err.message);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("route-form").addEventListener("submit", submitRoute);
  document.getElementById("clear-history").addEventListener("click", () => { saveHistory([]); renderHistory(); });
  document.getElementById("examples").replaceChildren("Try: ", ...EXAMPLES.map((q) =>
    RF.el("button", { type: "button", class: "example", onclick: () => {
      const input = document.getElementById("query");
      input.value = q;
      input.focus();
    } }, q)));
  renderHistory();
  loadInfo();
  window.addEventListener("hashchange", () => showSection(true));
  showSection(false);
  if (document.getElementById("playground").hidden === false) document.getElementById("query").focus();
});

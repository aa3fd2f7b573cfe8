// routerforge web page: the report browser (tables from metrics.json, the PNG plots, report.md, the
// held-out predictions filtered by class and right/wrong) and the sweep logbooks. Uses app.js's RF helpers.
"use strict";

(function () {
  const el = RF.el;
  const PAGE = 50;
  let reportsLoaded = null;  // the /api/reports answer, fetched once per visit to the section
  const filters = { ref: null, cls: "", outcome: "", q: "", offset: 0 };

  function fmt(value, kind) {
    if (value === null || value === undefined) return "–";
    if (kind === "pct") return RF.pct(value);
    if (kind === "int") return String(value);
    if (typeof value !== "number") return String(value);
    return value < 10 ? value.toFixed(2) : value < 1000 ? value.toFixed(1) : Math.round(value).toLocaleString("en");
  }

  function gen(v) {  // a number of unknown kind (a sweep parameter, a plan metric): 4 significant digits
    if (typeof v !== "number") return v ?? "";
    return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
  }

  function dataTable(caption, header, rows) {
    return el("div", { class: "table-wrap" }, el("table", {},
      el("caption", { text: caption }),
      el("thead", {}, el("tr", {}, header.map((h) => el("th", { scope: "col", text: h })))),
      el("tbody", {}, rows.map((r) => el("tr", {}, r.map((c, i) =>
        i === 0 ? el("th", { scope: "row", text: c }) : el("td", {}, c)))))));
  }

  function reportHref(id) { return `#reports/${id}`; }

  const lines = (n) => `${n} line${n === 1 ? "" : "s"}`;

  async function showReports(rest) {
    const errorBox = document.getElementById("reports-error");
    RF.show(errorBox, "");
    try {
      if (!reportsLoaded || !rest) reportsLoaded = await RF.api("/api/reports");
    } catch (err) {
      RF.show(errorBox, err.message);
      return;
    }
    const list = document.getElementById("report-list");
    const reports = reportsLoaded.reports;
    if (!reports.length) {
      list.replaceChildren(el("p", { class: "muted", text: reportsLoaded.roots.length
        ? "No evaluation reports found in the run directory (a report directory holds metrics.json or report.md; `routerforge eval --report DIR` writes one)."
        : "No run directory: start the server with --run RUN (or --reports DIR) to browse evaluation reports." }));
      document.getElementById("report").replaceChildren();
      return;
    }
    const current = rest || reports[0].id;
    list.replaceChildren(el("ul", {}, reports.map((r) => el("li", {},
      el("a", { href: reportHref(r.id), "aria-current": r.id === current ? "page" : null },
        el("span", { class: "report-title", text: r.title }), el("span", { class: "muted", text: r.id }))))));
    await showReport(current);
  }

  async function showReport(id) {
    const box = document.getElementById("report");
    let r;
    try {
      r = await RF.api("/api/reports/" + id.split("/").map(encodeURIComponent).join("/"));
    } catch (err) {
      box.replaceChildren();
      RF.show(document.getElementById("reports-error"), err.message);
      return;
    }
    const dirRef = r.id;
    const parts = [el("h2", { id: "report-heading", text: r.title }),
      el("p", { class: "muted" }, `${r.id}`, r.n ? ` · ${r.n} rows` : "", r.meta && r.meta.source ? ` · ${r.meta.source}` : "")];
    if (r.table) {
      parts.push(dataTable("Summary (metrics.json)", ["router", ...r.table.columns.map((c) => c.title)],
        r.table.rows.map((row) => [row.name, ...r.table.columns.map((c) => fmt(row.values[c.key], c.kind))])));
      if (r.table.classes.length) {
        parts.push(dataTable("Accuracy per true class (n)", ["router", ...r.table.classes],
          r.table.per_class.map((row) => [row.name, ...r.table.classes.map((c) =>
            row.values[c] ? `${RF.pct(row.values[c].accuracy)} (${row.values[c].n})` : "–")])));
      }
    }
    if (r.plan_table) {
      parts.push(dataTable(`Plan metrics (n=${r.plan_table.n})`, ["metric", ...r.plan_table.columns],
        r.plan_table.rows.map((row) => [row.name, ...row.values.map((v) => (v === null ? "–" : gen(v)))])));
    }
    if (r.images.length) {
      parts.push(el("h3", { text: "Plots" }), el("div", { class: "gallery" }, r.images.map((img) =>
        el("figure", {}, el("a", { href: RF.fileUrl(img.ref), target: "_blank", rel: "noopener" },
          el("img", { src: RF.fileUrl(img.ref), alt: img.name.replace(/\.png$/, "").replace(/_/g, " "), loading: "lazy" })),
          el("figcaption", { text: img.name })))));
    }
    if (r.predictions.length) parts.push(predictionsPanel(r));
    if (r.markdown) {
      // open by default when it is all the report has (a plan summary, RESULTS.md)
      parts.push(el("details", { class: "markdown", open: !r.table && !r.plan_table && !r.images.length }, el("summary", { text: `Full report (${r.markdown_ref.split("/").pop()})` }),
        RFMarkdown.render(r.markdown, dirRef)));
    }
    box.replaceChildren(...parts);
    if (r.predictions.length) {
      Object.assign(filters, { ref: r.predictions[0].ref, cls: "", outcome: "", q: "", offset: 0 });
      await loadPredictions(false);
    }
  }

  function predictionsPanel(r) {
    const select = (id, label, options, onchange) => el("div", { class: "field" },
      el("label", { for: id, text: label }),
      el("select", { id, onchange }, options.map(([v, t]) => el("option", { value: v, text: t }))));
    const refilter = (key) => (e) => { filters[key] = e.target.value; filters.offset = 0; loadPredictions(false); };
    return el("section", { class: "predictions", "aria-labelledby": "predictions-title" },
      el("h3", { id: "predictions-title", text: "Held-out predictions" }),
      el("form", { class: "filters", onsubmit: (e) => { e.preventDefault(); filters.q = document.getElementById("pred-q").value; filters.offset = 0; loadPredictions(false); } },
        select("pred-file", "Router", r.predictions.map((p) => [p.ref, p.label]),
               (e) => { Object.assign(filters, { ref: e.target.value, cls: "", offset: 0 }); loadPredictions(false); }),
        select("pred-class", "True class", [["", "all classes"]], refilter("cls")),
        select("pred-outcome", "Outcome", [["", "right and wrong"], ["right", "right"], ["wrong", "wrong"]], refilter("outcome")),
        el("div", { class: "field grow" }, el("label", { for: "pred-q", text: "Query contains" }),
          el("input", { id: "pred-q", type: "search", autocomplete: "off" })),
        el("button", { type: "submit", text: "Filter" })),
      el("div", { id: "pred-error", class: "error", role: "alert", hidden: true }),
      el("p", { id: "pred-status", class: "status", "aria-live": "polite" }),
      el("div", { class: "table-wrap" }, el("table", { id: "pred-table" },
        el("thead", {}, el("tr", {}, ["#", "query", "true class", "predicted", "spec", "result", "expected", "verdict"].map((h) =>
          el("th", { scope: "col", text: h })))),
        el("tbody", { id: "pred-rows" }))),
      el("button", { type: "button", id: "pred-more", class: "secondary", hidden: true,
                     onclick: () => { filters.offset += PAGE; loadPredictions(true); } }, "Show more"));
  }

  function verdictCell(row) {
    const marks = Object.entries(row.verdicts).map(([k, v]) => `${v ? "✓" : "✗"} ${k.replace(/_ok$/, "").replace(/_/g, " ")}`);
    const label = row.right === true ? "right" : row.right === false ? "wrong" : "n/a";
    return el("td", { class: `verdict ${label}`, "data-label": "verdict" },
      el("span", {}, el("strong", { text: label }), marks.length ? el("br") : null, " ", marks.join(", ")));
  }

  async function loadPredictions(append) {
    const params = new URLSearchParams({ offset: filters.offset, limit: PAGE });
    if (filters.cls) params.set("class", filters.cls);
    if (filters.outcome) params.set("outcome", filters.outcome);
    if (filters.q) params.set("q", filters.q);
    const errorBox = document.getElementById("pred-error");
    RF.show(errorBox, "");
    let data;
    try {
      data = await RF.api("/api/predictions/" + filters.ref.split("/").map(encodeURIComponent).join("/") + "?" + params);
    } catch (err) {
      RF.show(errorBox, err.message);
      return;
    }
    const classSelect = document.getElementById("pred-class");
    classSelect.replaceChildren(el("option", { value: "", text: "all classes" }),
      ...data.classes.map((c) => el("option", { value: c, text: c, selected: c === filters.cls })));
    // data-label: on a phone each row becomes a block of labelled lines (app.css)
    const cell = (label, attrs, ...content) => el("td", { "data-label": label, ...attrs }, ...content);
    const rows = data.rows.map((row) => el("tr", { class: row.right === false ? "wrong" : null },
      cell("#", { text: row.row }), cell("query", { class: "q", text: row.query ?? "–" }),
      cell("true class", { text: row.classes.join(", ") || "–" }), cell("predicted", { text: row.predicted ?? "–" }),
      cell("spec", { class: "spec" }, row.spec ? el("code", { text: row.spec }) : "–"),
      cell("result", { class: "result", text: row.error ? `error: ${row.error}` : (row.result ?? "–") }),
      cell("expected", { text: row.expected ?? "–" }), verdictCell(row)));
    const body = document.getElementById("pred-rows");
    if (append) body.append(...rows); else body.replaceChildren(...rows);
    const shown = Math.min(data.matched, data.offset + data.rows.length);
    document.getElementById("pred-status").textContent =
      `${shown} of ${data.matched} matching rows shown (${data.right} right, ${data.wrong} wrong); ${data.total} in the file` +
      (data.unreadable_lines ? `; ${lines(data.unreadable_lines)} could not be read` : "");
    document.getElementById("pred-more").hidden = shown >= data.matched;
  }

  // ---- sweeps --------------------------------------------------------------------------------
  function sortable(table) {  // click (or Enter on) a column header to sort by it
    const ths = table.tHead.rows[0].cells;
    Array.from(ths).forEach((th, col) => {
      const button = el("button", { type: "button", class: "sort", text: th.textContent });
      th.replaceChildren(button);
      button.addEventListener("click", () => {
        const dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        for (const other of ths) other.removeAttribute("aria-sort");
        th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
        const key = (tr) => { const t = tr.cells[col].textContent; const n = Number(t); return t !== "" && !Number.isNaN(n) ? n : t; };
        const rows = Array.from(table.tBodies[0].rows).sort((a, b) => (key(a) > key(b) ? dir : key(a) < key(b) ? -dir : 0));
        table.tBodies[0].append(...rows);
      });
    });
    return table;
  }

  async function showSweeps() {
    const body = document.getElementById("sweeps-body");
    const errorBox = document.getElementById("sweeps-error");
    RF.show(errorBox, "");
    let data;
    try {
      data = await RF.api("/api/logbooks");
    } catch (err) {
      RF.show(errorBox, err.message);
      return;
    }
    if (!data.logbooks.length) {
      body.replaceChildren(el("p", { class: "muted", text: "No sweep logbook found. The server looks for logbook.jsonl and logbook.md in the run directory, the directory that holds it, and each --reports directory." }));
      return;
    }
    body.replaceChildren(...data.logbooks.map((book) => el("section", { class: "card" },
      el("h2", { text: `Logbook: ${book.dir}` }),
      book.table ? el("div", { class: "table-wrap" }, sortable(el("table", {},
        el("caption", { text: `${book.table.rows.length} trials (logbook.jsonl)` }),
        el("thead", {}, el("tr", {}, book.table.columns.map((c) => el("th", { scope: "col", text: c })))),
        el("tbody", {}, book.table.rows.map((r) => el("tr", {}, r.map((v) => el("td", { text: gen(v) })))))))) : null,
      book.error ? el("p", { class: "error", text: book.error }) : null,
      book.unreadable_lines ? el("p", { class: "error", text: `${lines(book.unreadable_lines)} of logbook.jsonl could not be read.` }) : null,
      book.markdown ? el("details", { open: !book.table }, el("summary", { text: "logbook.md" }), RFMarkdown.render(book.markdown, null)) : null)));
  }

  RF.onSection.reports = showReports;
  RF.onSection.sweeps = showSweeps;
})();

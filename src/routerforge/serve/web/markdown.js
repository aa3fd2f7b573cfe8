// A small Markdown renderer for the reports routerforge writes (report.md, plan_report.md, RESULTS.md,
// logbook.md): headings, pipe tables, fenced code, lists, images and paragraphs with `code` and **bold**.
// It builds DOM nodes (text always through textContent), so a report can never inject markup; images
// are resolved against the report's directory and fetched through /api/files only.
"use strict";

window.RFMarkdown = (function () {
  const TABLE_SEP = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/;
  const IMAGE = /^!\[([^\]]*)\]\(([^)\s]+)\)\s*$/;

  function inline(text) {
    const out = [];
    for (const part of text.split(/(`[^`]+`|\*\*[^*]+\*\*)/)) {
      if (!part) continue;
      if (part.startsWith("`") && part.endsWith("`") && part.length > 1) {
        const code = document.createElement("code");
        code.textContent = part.slice(1, -1);
        out.push(code);
      } else if (part.startsWith("**") && part.endsWith("**") && part.length > 3) {
        const b = document.createElement("strong");
        b.textContent = part.slice(2, -2);
        out.push(b);
      } else {
        out.push(document.createTextNode(part.replace(/\[([^\]]+)\]\([^)]*\)/g, "$1")));
      }
    }
    return out;
  }

  function cells(line) {
    return line.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").map((c) => c.trim());
  }

  function table(header, rows) {
    const t = document.createElement("table");
    const thead = t.createTHead().insertRow();
    for (const h of header) {
      const th = document.createElement("th");
      th.scope = "col";
      th.append(...inline(h));
      thead.append(th);
    }
    const body = t.createTBody();
    for (const r of rows) {
      const tr = body.insertRow();
      r.forEach((c, i) => {
        const td = document.createElement(i === 0 ? "th" : "td");
        if (i === 0) td.scope = "row";
        td.append(...inline(c));
        tr.append(td);
      });
    }
    const wrap = document.createElement("div");
    wrap.className = "table-wrap";
    wrap.append(t);
    return wrap;
  }

  function image(alt, src, dirRef) {
    if (/^[a-z]+:/i.test(src) || src.startsWith("/") || !dirRef) {  // only files of this report
      const span = document.createElement("span");
      span.className = "muted";
      span.textContent = `[image: ${alt || src}]`;
      return span;
    }
    const img = document.createElement("img");
    img.alt = alt || src;
    img.loading = "lazy";
    img.src = RF.fileUrl(`${dirRef}/${src}`);
    return img;
  }

  // `dirRef`: the report directory as /api/files names it ("run/eval"), for relative image paths.
  function render(text, dirRef, headingOffset = 2) {
    const out = document.createDocumentFragment();
    const lines = String(text || "").replace(/\r\n?/g, "\n").split("\n");
    let i = 0;
    while (i < lines.length) {
      const line = lines[i];
      if (/^```/.test(line)) {
        const code = [];
        for (i += 1; i < lines.length && !/^```/.test(lines[i]); i += 1) code.push(lines[i]);
        const pre = document.createElement("pre");
        pre.textContent = code.join("\n");
        out.append(pre);
        i += 1;
        continue;
      }
      const heading = /^(#{1,6})\s+(.*)$/.exec(line);
      if (heading) {
        const h = document.createElement(`h${Math.min(6, heading[1].length + headingOffset)}`);
        h.append(...inline(heading[2]));
        out.append(h);
        i += 1;
        continue;
      }
      if (/^\s*\|/.test(line) && i + 1 < lines.length && TABLE_SEP.test(lines[i + 1])) {
        const header = cells(line);
        const rows = [];
        for (i += 2; i < lines.length && /^\s*\|/.test(lines[i]); i += 1) rows.push(cells(lines[i]));
        out.append(table(header, rows));
        continue;
      }
      const img = IMAGE.exec(line.trim());
      if (img) {
        const fig = document.createElement("figure");
        fig.append(image(img[1], img[2], dirRef));
        out.append(fig);
        i += 1;
        continue;
      }
      if (/^\s*[-*]\s+/.test(line)) {
        const ul = document.createElement("ul");
        for (; i < lines.length && /^\s*[-*]\s+/.test(lines[i]); i += 1) {
          const li = document.createElement("li");
          li.append(...inline(lines[i].replace(/^\s*[-*]\s+/, "")));
          ul.append(li);
        }
        out.append(ul);
        continue;
      }
      if (!line.trim()) {
        i += 1;
        continue;
      }
      const para = [];
      for (; i < lines.length && lines[i].trim() && !/^(#{1,6}\s|```|\s*\||\s*[-*]\s+)/.test(lines[i]); i += 1) {
        para.push(lines[i].trim());
      }
      if (!para.length) {  // a line that looked special but was not (a lone "|"): keep it as text
        para.push(line.trim());
        i += 1;
      }
      const p = document.createElement("p");
      p.append(...inline(para.join(" ")));
      out.append(p);
    }
    return out;
  }

  return { render };
})();

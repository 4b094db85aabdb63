// A small, safe rendering of the hover texts (Markdown) as DOM nodes: paragraphs,
// bullet lists, fenced code blocks, `code spans` and **bold**. Everything is set
// as text, never as HTML, so nothing in a hover can inject markup.

function inline(parent, text) {
  const pattern = /(`+)([\s\S]*?[^`])\1(?!`)|\*\*([^*]+)\*\*/g;
  let last = 0, m;
  while ((m = pattern.exec(text))) {
    if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
    const element = document.createElement(m[2] !== undefined ? "code" : "strong");
    element.textContent = m[2] !== undefined ? m[2].trim() || m[2] : m[3];
    parent.appendChild(element);
    last = pattern.lastIndex;
  }
  if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
}

export function renderMarkdown(markdown) {
  const root = document.createElement("div");
  root.className = "cm-jifen-hover";
  const lines = String(markdown).replace(/\r\n?/g, "\n").split("\n");
  let paragraph = [], list = null;
  const flush = () => {
    if (paragraph.length) {
      const p = document.createElement("p");
      inline(p, paragraph.join(" "));
      root.appendChild(p);
      paragraph = [];
    }
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fence = /^\s*(```|~~~)/.exec(line);
    if (fence) {
      flush(); list = null;
      const code = [];
      for (i++; i < lines.length && !lines[i].trim().startsWith(fence[1]); i++) code.push(lines[i]);
      const pre = document.createElement("pre");
      const element = document.createElement("code");
      element.textContent = code.join("\n");
      pre.appendChild(element);
      root.appendChild(pre);
      continue;
    }
    const item = /^\s*[-*+]\s+(.*)$/.exec(line);
    if (item) {
      flush();
      if (!list) { list = document.createElement("ul"); root.appendChild(list); }
      const li = document.createElement("li");
      inline(li, item[1]);
      list.appendChild(li);
      continue;
    }
    if (!line.trim()) { flush(); list = null; continue; }
    if (list && /^\s+\S/.test(line)) { // a list item's continuation
      inline(list.lastChild, " " + line.trim());
      continue;
    }
    list = null;
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      const h = document.createElement("p");
      const strong = document.createElement("strong");
      inline(strong, heading[1]);
      h.appendChild(strong);
      root.appendChild(h);
      continue;
    }
    paragraph.push(line.trim());
  }
  flush();
  return root;
}

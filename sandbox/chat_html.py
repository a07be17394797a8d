"""The sandbox chat page: one HTML document, no build step, no external resources."""

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Cashback assistant – sandbox chat</title>
<style>
 body{font:15px system-ui,sans-serif;margin:0;background:#e9eef3;display:flex;gap:1em;
      padding:1em;box-sizing:border-box;height:100vh}
 #chat{flex:2;display:flex;flex-direction:column;max-width:560px;background:#fff;
       border-radius:8px;overflow:hidden}
 #log{flex:1;overflow-y:auto;padding:.8em}
 .msg{white-space:pre-wrap;margin:.4em 0;padding:.5em .7em;border-radius:8px;max-width:85%}
 .bot{background:#f1f1f1}.mine{background:#d8f5c6;margin-left:auto}
 .kb button{display:block;width:100%;margin-top:.3em;padding:.4em;border:1px solid #9ab;
            background:#fff;border-radius:6px;cursor:pointer}
 .kb .row{display:flex;gap:.3em}
 form{display:flex;gap:.4em;padding:.6em;border-top:1px solid #ddd}
 #text{flex:1;padding:.5em}
 #side{flex:1;overflow-y:auto;background:#fff;border-radius:8px;padding:.8em}
 .mail{border-bottom:1px solid #ddd;padding:.4em 0;white-space:pre-wrap;font-size:13px}
 header{padding:.6em .8em;background:#2b6cb0;color:#fff}
 header a{color:#fff;margin-left:.6em}
</style></head><body>
<div id="chat"><header>Cashback assistant · sandbox
 <a href="?lang=fr">FR</a><a href="?lang=it">IT</a><a href="?lang=en">EN</a></header>
 <div id="log"></div>
 <form id="f"><textarea id="text" rows="2" placeholder="/start"></textarea>
  <button>Send</button>
  <label title="Send a file (template or document)">📎<input type="file" id="file"
   hidden></label></form></div>
<div id="side"><b>📬 Sandbox mailbox</b> (e-mails the assistant sent)<div id="mails"></div>
</div>
<script>
const lang = new URLSearchParams(location.search).get("lang") || "fr";
let version = "";
const post = (path, body) => fetch(path, {method: "POST",
  headers: {"Content-Type": "application/json"}, body: JSON.stringify({lang, ...body})});
function render(data) {
  const log = document.getElementById("log");
  log.replaceChildren(...data.messages.map(m => {
    const div = document.createElement("div");
    div.className = "msg " + (m.mine ? "mine" : "bot");
    div.textContent = m.text;
    if (m.document) {
      const a = document.createElement("a");
      a.href = m.document.url; a.textContent = "📄 " + m.document.name;
      div.append(document.createElement("br"), a);
    }
    if (m.buttons.length) {
      const kb = document.createElement("div"); kb.className = "kb";
      for (const row of m.buttons) {
        const r = document.createElement("div"); r.className = "row";
        for (const b of row) {
          const btn = document.createElement("button"); btn.textContent = b.text;
          btn.onclick = () => post("/sandbox/press", {message_id: m.id, data: b.data});
          r.append(btn);
        }
        kb.append(r);
      }
      div.append(kb);
    }
    return div;
  }));
  log.scrollTop = log.scrollHeight;
  document.getElementById("mails").replaceChildren(...data.mails.map(m => {
    const d = document.createElement("div"); d.className = "mail";
    d.textContent = m.subject + "\\n\\n" + m.text; return d;
  }));
}
async function poll() {
  for (;;) {
    try {
      const r = await fetch(`/sandbox/transcript?lang=${lang}&version=${version}`);
      const data = await r.json(); version = data.version; render(data);
    } catch (e) { await new Promise(ok => setTimeout(ok, 1000)); }
  }
}
document.getElementById("f").onsubmit = e => {
  e.preventDefault(); const t = document.getElementById("text");
  if (t.value.trim()) post("/sandbox/send", {text: t.value}); t.value = "";
};
document.getElementById("text").onkeydown = e => {
  if (e.key === "Enter" && !e.shiftKey) {
    e.preventDefault(); document.getElementById("f").requestSubmit();
  }
};
document.getElementById("file").onchange = e => {
  const form = new FormData(); form.append("lang", lang);
  form.append("file", e.target.files[0]); e.target.value = "";
  fetch("/sandbox/upload", {method: "POST", body: form});
};
poll();
</script></body></html>
"""

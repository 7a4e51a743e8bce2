/*! Leadpool capture snippet: sends the leads of a landing page's forms to Leadpool.
 *
 * <script src="https://LEADPOOL/intake/capture.js" data-token="TOKEN" async></script>
 *   data-capture="popup" | "contact_page" | "form"   capture point of this page's forms
 *   data-widget="chat"                                 show the "leave your number" chat bubble
 *   data-host="https://LEADPOOL"                       only when this file is served from elsewhere
 * A form can say data-leadpool-capture="popup" for itself, or data-leadpool-ignore to be left alone.
 *
 * The page's own form always goes on: nothing here cancels, delays or waits for a submit. The lead is
 * queued with navigator.sendBeacon (or fetch keepalive) as text/plain, which needs no CORS preflight,
 * and the browser delivers it even while the page navigates away. Leadpool decides which field is the
 * phone from each field's name, type, autocomplete and label. No inline script or style sheet is
 * needed, so it runs under a strict Content-Security-Policy (script-src and connect-src for Leadpool).
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__leadpoolCapture) { return; }
  var token = script.getAttribute("data-token");
  if (!token) { return; }
  window.__leadpoolCapture = true;

  var host = (script.getAttribute("data-host") || originOf(script.src)).replace(/\/+$/, "");
  var endpoint = host + "/intake/hook/generic/" + encodeURIComponent(token) + "/";
  var pagePoint = script.getAttribute("data-capture") || "";
  var VISIT = "leadpool:visit";
  var UTM = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id"];
  var CLICKS = ["fbclid", "gclid"];
  var AFFILIATE = ["aff", "ref", "affiliate", "aff_id", "ref_code"];
  var SKIP_TYPES = { password: 1, file: 1, submit: 1, button: 1, reset: 1, image: 1 };
  var SECRET_NAME = /csrf|captcha|turnstile|password|passwd|card|cvv|cvc|iban/i;

  function originOf(src) {
    var a = document.createElement("a");
    a.href = src;
    return a.protocol + "//" + a.host;
  }

  function decode(text) {
    try { return decodeURIComponent(text.replace(/\+/g, " ")); } catch (e) { return text; }
  }

  function query(search) {
    var out = {};
    search.replace(/^\?/, "").split("&").forEach(function (pair) {
      if (!pair) { return; }
      var at = pair.indexOf("=");
      var name = decode(at < 0 ? pair : pair.slice(0, at)).toLowerCase();
      if (!(name in out)) { out[name] = decode(at < 0 ? "" : pair.slice(at + 1)).slice(0, 300); }
    });
    return out;
  }

  function load() {
    try { return JSON.parse(window.sessionStorage.getItem(VISIT)) || {}; } catch (e) { return {}; }
  }

  function save(visit) {
    try { window.sessionStorage.setItem(VISIT, JSON.stringify(visit)); } catch (e) { /* private mode */ }
  }

  // The landing URL's parameters are kept for the whole visit: the form is often on the next page.
  function remember() {
    var visit = load();
    var params = query(window.location.search);
    var tracking = visit.tracking || {};
    var newClick = UTM.some(function (name) { return params[name]; });
    if (newClick) {  // a new ad click is a new attribution: its UTM set replaces the old one
      UTM.forEach(function (name) { delete tracking[name]; });
    }
    UTM.concat(CLICKS).forEach(function (name) { if (params[name]) { tracking[name] = params[name]; } });
    AFFILIATE.some(function (name) {
      if (params[name]) { tracking.aff = params[name]; return true; }
      return false;
    });
    visit.tracking = tracking;
    if (!visit.landing) {
      visit.landing = window.location.href;
      visit.first_referrer = document.referrer || "";
    }
    save(visit);
    return visit;
  }

  function clean(text) {
    return String(text || "").replace(/\s+/g, " ").trim().slice(0, 200);
  }

  function labelOf(el) {
    var text = "";
    if (el.labels && el.labels.length) { text = el.labels[0].textContent; }
    if (!text && el.closest) {
      var wrapping = el.closest("label");
      if (wrapping) { text = wrapping.textContent; }
    }
    return clean(text || el.getAttribute("aria-label") || el.getAttribute("title"));
  }

  function valueOf(el, type) {
    if (type === "select-multiple") {
      return Array.prototype.filter.call(el.options, function (o) { return o.selected; })
        .map(function (o) { return o.value; }).join(", ");
    }
    return el.value;
  }

  function fieldsOf(form) {
    var out = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      var type = String(el.type || el.tagName || "").toLowerCase();
      var name = el.name || "";
      if (out.length >= 80 || (!name && !el.id) || SKIP_TYPES[type] || el.tagName === "FIELDSET") { return; }
      if (SECRET_NAME.test(name) || ((type === "checkbox" || type === "radio") && !el.checked)) { return; }
      out.push({
        name: name.slice(0, 120),
        id: (el.id || "").slice(0, 120),
        type: type === "select-one" ? "select" : type,
        autocomplete: (el.getAttribute("autocomplete") || "").slice(0, 60),
        label: labelOf(el),
        placeholder: clean(el.getAttribute("placeholder")),
        value: String(valueOf(el, type) || "").slice(0, 2000)
      });
    });
    return out;
  }

  // Only forms that carry a way to reach the person: a search box or a newsletter-less filter is not a lead.
  function reachable(fields) {
    return fields.some(function (f) {
      if (f.type === "hidden") { return false; }
      return /\S+@\S+\.\S+/.test(f.value) || f.value.replace(/\D/g, "").length >= 8;
    });
  }

  function envelope(kind, point, fields, form) {
    var visit = load();
    return {
      _leadpool: "capture/1",
      kind: kind,
      capture_point: point || "",
      fields: fields,
      form: form ? { id: form.id || "", name: form.getAttribute("name") || "", action: form.getAttribute("action") || "" } : {},
      page: {
        url: window.location.href,
        title: clean(document.title),
        referrer: document.referrer || "",
        landing: visit.landing || "",
        first_referrer: visit.first_referrer || ""
      },
      tracking: visit.tracking || {},
      sent_at: new Date().toISOString()
    };
  }

  // done(ok) is given only by the widget, which shows the answer; a page's form never waits for it.
  function send(data, done) {
    var body = JSON.stringify(data);
    if (!done && navigator.sendBeacon) {
      try {
        if (navigator.sendBeacon(endpoint, new Blob([body], { type: "text/plain;charset=UTF-8" }))) { return; }
      } catch (e) { /* fall through to fetch */ }
    }
    if (!window.fetch) {
      if (done) { done(false); }
      return;
    }
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, 8000) : null;
    window.fetch(endpoint, {
      method: "POST",
      body: body,
      mode: "cors",
      credentials: "omit",
      keepalive: body.length < 60000,
      headers: { "Content-Type": "text/plain;charset=UTF-8" },
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      clearTimeout(timer);
      if (done) { done(response.ok); }
    }, function () {
      clearTimeout(timer);
      if (done) { done(false); }
    });
  }

  var recent = {};
  function captureForm(form) {
    try {
      if (!form || form.tagName !== "FORM" || form.hasAttribute("data-leadpool-ignore") ||
          form.hasAttribute("data-leadpool-widget") || form.querySelector("input[type=password]")) { return; }
      var fields = fieldsOf(form);
      if (!reachable(fields)) { return; }
      // A double click, or a submit event followed by the page's own form.submit(), is one lead.
      var signature = JSON.stringify(fields);
      var now = Date.now();
      if (recent[signature] && now - recent[signature] < 5000) { return; }
      recent[signature] = now;
      send(envelope("form", form.getAttribute("data-leadpool-capture") || pagePoint, fields, form));
    } catch (e) { /* never break the page */ }
  }

  remember();
  document.addEventListener("submit", function (event) { captureForm(event.target); }, true);
  // form.submit() from a page's own script fires no submit event.
  var nativeSubmit = HTMLFormElement.prototype.submit;
  HTMLFormElement.prototype.submit = function () {
    captureForm(this);
    return nativeSubmit.apply(this, arguments);
  };

  // --- the "leave your number" chat widget -------------------------------------------------------------

  function styled(tag, styles, attrs) {
    var el = document.createElement(tag);
    var name;
    for (name in styles) { if (Object.prototype.hasOwnProperty.call(styles, name)) { el.style[name] = styles[name]; } }
    for (name in attrs || {}) { if (Object.prototype.hasOwnProperty.call(attrs, name)) { el.setAttribute(name, attrs[name]); } }
    return el;
  }

  function chatWidget() {
    var color = script.getAttribute("data-color") || "#0d6efd";
    var title = script.getAttribute("data-title") || "Tư vấn nhanh";
    var greeting = script.getAttribute("data-greeting") ||
      "Chào anh/chị! Để lại tên và số điện thoại, chuyên viên sẽ gọi lại ngay.";
    var thanks = script.getAttribute("data-thanks") || "Cảm ơn anh/chị! Chuyên viên sẽ gọi lại trong ít phút.";
    var font = "14px/1.4 system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif";

    var root = styled("div", { position: "fixed", right: "16px", bottom: "16px", zIndex: "2147483000", font: font },
      { id: "leadpool-chat" });
    var bubble = styled("button", {
      width: "56px", height: "56px", borderRadius: "50%", border: "0", background: color, color: "#fff",
      cursor: "pointer", boxShadow: "0 4px 12px rgba(0,0,0,.25)", float: "right", display: "flex",
      alignItems: "center", justifyContent: "center", padding: "0"
    }, { type: "button", "aria-label": title, "aria-expanded": "false", "data-leadpool-bubble": "" });
    // A speech-bubble icon drawn here: an emoji needs a font the phone may not have.
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "26");
    svg.setAttribute("height", "26");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z");
    svg.appendChild(path);
    bubble.appendChild(svg);
    var panel = styled("div", {
      display: "none", width: "320px", maxWidth: "calc(100vw - 32px)", marginBottom: "12px", background: "#fff",
      color: "#212529", borderRadius: "12px", boxShadow: "0 8px 24px rgba(0,0,0,.25)", overflow: "hidden"
    }, { role: "dialog", "aria-label": title, "data-leadpool-panel": "" });
    var head = styled("div", { background: color, color: "#fff", padding: "10px 14px", fontWeight: "600" });
    head.textContent = title;
    var close = styled("button", { float: "right", background: "none", border: "0", color: "#fff", fontSize: "18px",
      lineHeight: "1", cursor: "pointer" }, { type: "button", "aria-label": "Đóng" });
    close.textContent = "\u00D7";
    head.appendChild(close);
    var log = styled("div", { padding: "12px", maxHeight: "40vh", overflowY: "auto", background: "#f1f3f5" },
      { "aria-live": "polite", "data-leadpool-log": "" });

    function say(text, mine) {
      var line = styled("div", {
        margin: mine ? "6px 0 6px 40px" : "6px 40px 6px 0", padding: "8px 12px", borderRadius: "12px",
        background: mine ? color : "#fff", color: mine ? "#fff" : "#212529", whiteSpace: "pre-wrap",
        wordBreak: "break-word"
      }, { "data-leadpool-said": mine ? "visitor" : "leadpool" });
      line.textContent = text;
      log.appendChild(line);
      log.scrollTop = log.scrollHeight;
    }

    var form = styled("form", { padding: "10px 12px", display: "grid", gap: "8px" },
      { "data-leadpool-widget": "", novalidate: "" });
    function input(name, type, label, autocomplete) {
      var el = styled("input", { width: "100%", boxSizing: "border-box", padding: "8px 10px", border: "1px solid #ced4da",
        borderRadius: "8px", font: font }, { name: name, type: type, placeholder: label, "aria-label": label,
        autocomplete: autocomplete });
      form.appendChild(el);
      return el;
    }
    var nameInput = input("name", "text", "Họ và tên", "name");
    var phoneInput = input("phone", "tel", "Số điện thoại", "tel");
    phoneInput.setAttribute("inputmode", "tel");
    var sendButton = styled("button", { padding: "8px 12px", border: "0", borderRadius: "8px", background: color,
      color: "#fff", font: font, fontWeight: "600", cursor: "pointer" }, { type: "submit" });
    sendButton.textContent = "Gửi số điện thoại";
    form.appendChild(sendButton);

    panel.appendChild(head);
    panel.appendChild(log);
    panel.appendChild(form);
    root.appendChild(panel);
    root.appendChild(bubble);
    document.body.appendChild(root);
    say(greeting, false);

    function toggle(open) {
      panel.style.display = open ? "block" : "none";
      bubble.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) { nameInput.focus(); }
    }
    bubble.addEventListener("click", function () { toggle(panel.style.display === "none"); });
    close.addEventListener("click", function () { toggle(false); });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var name = clean(nameInput.value);
      var phone = clean(phoneInput.value);
      var digits = phone.replace(/\D/g, "").length;
      if (digits < 9 || digits > 12) {
        say("Số điện thoại chưa đúng, anh/chị nhập lại giúp (ví dụ 0912 345 678).", false);
        phoneInput.focus();
        return;
      }
      say((name ? name + " · " : "") + phone, true);
      sendButton.disabled = true;
      var fields = [
        { name: "name", type: "text", autocomplete: "name", label: "Họ và tên", value: name },
        { name: "phone", type: "tel", autocomplete: "tel", label: "Số điện thoại", value: phone }
      ];
      send(envelope("chat", "chatbox", fields, null), function (ok) {
        sendButton.disabled = false;
        if (ok) {
          say(thanks, false);
          form.style.display = "none";
        } else {
          say("Chưa gửi được, anh/chị thử lại sau ít phút giúp.", false);
        }
      });
    });
  }

  if (script.getAttribute("data-widget") === "chat") {
    if (document.body) { chatWidget(); } else { document.addEventListener("DOMContentLoaded", chatWidget); }
  }
}());

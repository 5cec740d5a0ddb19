// The playground page: send what is typed, send clicks and modal forms, poll for what changed.
// Every drawing is done by the server (Jinja2); this script only swaps HTML fragments in.
(function () {
  "use strict";
  const body = document.body;
  const channel = body.dataset.channel;
  // The app's Home tab: no messages, no composer; opening it is an app_home_opened event.
  const home = body.dataset.home === "1";
  const homeView = document.getElementById("home");
  const pollMs = Number(body.dataset.pollMs || 500);
  const messages = document.getElementById("messages");
  const channels = document.getElementById("channels");
  const threadPane = document.getElementById("thread");
  const threadBody = document.getElementById("thread-body");
  const modalLayer = document.getElementById("modal-layer");
  const status = document.getElementById("status");
  // The words this script shows by itself (templates/messages.yaml, through the page).
  const texts = JSON.parse(document.getElementById("page-texts").textContent);
  let threadTs = (location.hash.match(/^#thread=([0-9.]+)$/) || [])[1] || "";
  let shown = { channels: null, messages: null, thread: null, home: null, modal: "" };
  let busy = false;

  // A POST as the page sends it. Never rejects: the server's JSON answer with `status` added,
  // `ok` false when the request failed (non-2xx, or no answer at all: status 0).
  function post(url, fields) {
    const data = new URLSearchParams();
    for (const [key, value] of fields) data.append(key, value);
    return fetch(url, {
      method: "POST",
      headers: { "X-Playground": "1", "Content-Type": "application/x-www-form-urlencoded" },
      body: data,
    }).then(
      (r) =>
        r
          .json()
          .catch(() => ({}))
          .then((answer) => ({ ...answer, ok: r.ok && answer.ok !== false, status: r.status })),
      () => ({ ok: false, status: 0 })
    );
  }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));
  }

  // Why a request failed: the server's own words, else its HTTP status, else that it is silent.
  function reason(result) {
    if (result.error) return result.error;
    if (result.status) return fill(texts.http, { status: result.status });
    return texts.unreachable;
  }

  function say(text, line) {
    (line || status).textContent = text || "";
  }

  function atBottom(el) {
    return el.scrollHeight - el.scrollTop - el.clientHeight < 40;
  }

  function swap(el, html) {
    const stick = atBottom(el);
    el.innerHTML = html;
    if (stick) el.scrollTop = el.scrollHeight;
  }

  function openThread(ts) {
    threadTs = ts;
    history.replaceState(null, "", ts ? "#thread=" + ts : location.pathname);
    threadPane.hidden = !ts;
    shown.thread = null;
    refresh();
  }

  async function refresh() {
    let state;
    try {
      const url = home
        ? "/home/state"
        : "/c/" + channel + "/state?thread=" + encodeURIComponent(threadTs);
      const r = await fetch(url);
      state = await r.json();
    } catch (e) {
      say(texts.notAnswering);
      return;
    }
    if (state.channels !== shown.channels) {
      channels.innerHTML = state.channels;
      shown.channels = state.channels;
    }
    if (home && state.home !== shown.home) {
      homeView.innerHTML = state.home;
      shown.home = state.home;
    }
    if (!home && state.messages !== shown.messages) {
      swap(messages, state.messages);
      shown.messages = state.messages;
    }
    if (!home && threadTs && state.thread !== shown.thread) {
      swap(threadBody, state.thread);
      shown.thread = state.thread;
    }
    if (state.modal !== shown.modal) {
      shown.modal = state.modal;
      await loadModal();
    }
  }

  async function loadModal() {
    const r = await fetch("/modal");
    modalLayer.innerHTML = r.status === 200 ? await r.text() : "";
    const error = modalLayer.querySelector(".bk-has-error");
    if (error) {
      error.scrollIntoView({ block: "center" });
      const input = error.querySelector("input, select, textarea");
      if (input) input.focus();
    }
  }

  function poll() {
    refresh().finally(() => setTimeout(poll, pollMs));
  }

  // Wait for a POST, say why it failed (on `line`, in words of `failed`), then refresh.
  async function act(promise, line, failed) {
    busy = true;
    try {
      const result = await promise;
      say(result.ok ? "" : (failed || reason)(result), line);
      return result;
    } finally {
      busy = false;
      refresh();
    }
  }

  // A message box: what is typed is sent, and comes back to the box with an error line when
  // the request fails.
  function composer(form, thread, line) {
    const box = form.querySelector("textarea");
    const notSent = (result) => fill(texts.notSent, { reason: reason(result) });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = box.value.trim();
      if (!text || busy) return;
      box.value = "";
      const fields = [["text", text]];
      if (thread && threadTs) fields.push(["thread_ts", threadTs]);
      const result = await act(post("/c/" + channel + "/send", fields), line, notSent);
      if (!result.ok) {
        const typedSince = box.value.trim();
        box.value = typedSince ? text + "\n" + typedSince : text;
        box.focus();
      }
    });
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
  }

  if (!home) {
    composer(document.getElementById("composer"), false, status);
    composer(document.getElementById("thread-composer"), true, document.getElementById("thread-status"));
  }

  document.addEventListener("click", (event) => {
    const target = event.target.closest("[data-action-id], [data-open-thread], [data-close-thread], [data-shortcut], [data-modal-close]");
    if (!target) return;
    if (target.dataset.openThread) {
      openThread(target.dataset.openThread);
    } else if (target.hasAttribute("data-close-thread")) {
      openThread("");
    } else if (target.hasAttribute("data-shortcut")) {
      act(post("/shortcut", []));
    } else if (target.hasAttribute("data-modal-close")) {
      const form = target.closest("form[data-view-id]");
      if (form) act(post("/modal/" + form.dataset.viewId + "/close", []));
      modalLayer.innerHTML = "";
    } else if (target.dataset.actionId) {
      const message = target.closest("[data-message]");
      if (!message) return;
      target.disabled = true;
      act(
        post("/action", [
          ["channel", message.dataset.channel],
          ["ts", message.dataset.ts],
          ["ephemeral", message.dataset.ephemeral],
          ["action_id", target.dataset.actionId],
          ["block_id", target.dataset.blockId || ""],
        ])
      ).finally(() => (target.disabled = false));
    }
  });

  modalLayer.addEventListener("submit", async (event) => {
    const form = event.target.closest("form[data-view-id]");
    if (!form) return;
    event.preventDefault();
    const submit = form.querySelector("button[type=submit]");
    if (submit) submit.disabled = true;
    const result = await act(post("/modal/" + form.dataset.viewId + "/submit", new FormData(form)));
    if (result && result.modal_closed) modalLayer.innerHTML = "";
    if (submit) submit.disabled = false;
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && modalLayer.querySelector("[data-modal-close]")) {
      modalLayer.querySelector("[data-modal-close]").click();
    }
  });

  if (home) {
    act(post("/home/opened", []));
  } else {
    if (threadTs) openThread(threadTs);
    messages.scrollTop = messages.scrollHeight;
  }
  poll();
})();

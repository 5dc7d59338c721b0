// Chat's end-to-end encryption, in the browser with the Web Crypto API.
//
// Each browser makes an ECDH P-256 key pair; the private key is not extractable and stays
// in this browser's IndexedDB; the public key (JWK) goes to the Chat server. A
// conversation's key is ECDH(my private, their public) -> HKDF-SHA-256 -> AES-GCM-256, and
// every message gets a fresh 96-bit IV. The server stores and relays {ciphertext, iv} only.

const csrf = document.querySelector('meta[name="csrf-token"]').content;
const userId = document.querySelector('meta[name="user-id"]').content;
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const POLL_MS = 2000;
// A sticker message's plaintext: this mark, then {ref, title} as JSON. The ref names a
// sticker Chat keeps ("<owner id>/<creation id>"); the recipient's browser shows it from
// /creations/<ref>. Only the two browsers learn from the message which sticker it is.
const STICKER = "\u0001sticker:";
const STICKER_REF = /^[0-9]{1,12}\/[A-Za-z0-9_-]{1,64}$/;

function openKeyStore() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open("chat-keys", 1);
    request.onupgradeneeded = () => request.result.createObjectStore("keys");
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function keyStore(mode, action) {
  const db = await openKeyStore();
  return new Promise((resolve, reject) => {
    const request = action(db.transaction("keys", mode).objectStore("keys"));
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function postJson(url, body) {
  const answer = await fetch(url, {
    method: "POST", credentials: "same-origin", body: JSON.stringify(body),
    headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
  });
  if (!answer.ok) throw new Error(`${url} answered ${answer.status}`);
  return answer.json();
}

// This browser's key for the signed-in user, made on first use and announced each visit
// (the key announced last is the one other people encrypt to).
async function myKey() {
  let kept = await keyStore("readonly", (s) => s.get(`user:${userId}`));
  if (!kept) {
    const pair = await crypto.subtle.generateKey(
      {name: "ECDH", namedCurve: "P-256"}, false, ["deriveBits"]);
    const jwk = await crypto.subtle.exportKey("jwk", pair.publicKey);
    kept = {privateKey: pair.privateKey, publicJwk: {kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y}};
  }
  const announced = await postJson("/keys", {jwk: kept.publicJwk});
  kept.keyId = announced.id;
  await keyStore("readwrite", (s) => s.put(kept, `user:${userId}`));
  return kept;
}

const conversationKeys = new Map();

async function conversationKey(mine, theirKeyId, theirJwk) {
  const name = `${mine.keyId}:${theirKeyId}`;
  if (!conversationKeys.has(name)) {
    conversationKeys.set(name, (async () => {
      const theirs = await crypto.subtle.importKey(
        "jwk", theirJwk, {name: "ECDH", namedCurve: "P-256"}, false, []);
      const shared = await crypto.subtle.deriveBits(
        {name: "ECDH", public: theirs}, mine.privateKey, 256);
      const material = await crypto.subtle.importKey("raw", shared, "HKDF", false, ["deriveKey"]);
      const [low, high] = [mine.keyId, Number(theirKeyId)].sort((a, b) => a - b);
      return crypto.subtle.deriveKey(
        {name: "HKDF", hash: "SHA-256", salt: encoder.encode("accounts-center-demo chat v1"),
         info: encoder.encode(`conversation ${low}:${high}`)},
        material, {name: "AES-GCM", length: 256}, false, ["encrypt", "decrypt"]);
    })());
  }
  return conversationKeys.get(name);
}

const toBase64 = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)));
const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
// Binds each ciphertext to the two keys it was made for.
const associated = (m) => encoder.encode(`${m.sender_key_id}>${m.recipient_key_id}`);

async function openMessage(mine, m, keys) {
  const myKeyId = m.from_me ? m.sender_key_id : m.recipient_key_id;
  const theirKeyId = m.from_me ? m.recipient_key_id : m.sender_key_id;
  if (myKeyId !== mine.keyId) {
    return {unreadable: m.from_me ? "Sent from an earlier device: not readable in this browser."
                                  : "Sent to an earlier device: not readable in this browser."};
  }
  try {
    const key = await conversationKey(mine, theirKeyId, keys[String(theirKeyId)]);
    const plain = await crypto.subtle.decrypt(
      {name: "AES-GCM", iv: fromBase64(m.iv), additionalData: associated(m)},
      key, fromBase64(m.ciphertext));
    return readPlaintext(decoder.decode(plain));
  } catch {
    return {unreadable: "This message could not be decrypted."};
  }
}

function readPlaintext(plain) {
  if (!plain.startsWith(STICKER)) return {text: plain};
  try {
    const sticker = JSON.parse(plain.slice(STICKER.length));
    if (typeof sticker.ref === "string" && STICKER_REF.test(sticker.ref)) {
      return {sticker: {ref: sticker.ref, title: String(sticker.title ?? "Sticker").slice(0, 120)}};
    }
  } catch { /* not a sticker after all: shown as the text it is */ }
  return {text: plain};
}

function stickerImage(sticker) {
  const image = document.createElement("img");
  image.className = "sticker";
  image.width = image.height = 96;
  image.alt = sticker.title;
  image.src = `/creations/${sticker.ref}`;
  image.addEventListener("error", () => {
    const gone = document.createElement("p");
    gone.className = "text";
    gone.textContent = `Sticker “${sticker.title}”: deleted by its owner.`;
    image.replaceWith(gone);
  });
  return image;
}

async function runConversation(mine, list) {
  const peerId = list.dataset.peerId;
  const form = document.getElementById("compose");
  const input = document.getElementById("message");
  const send = document.getElementById("send");
  const problem = document.getElementById("compose-error");
  const stickers = document.querySelectorAll(".sticker-tray button[data-sticker]");
  const shown = new Set();
  let latest = {peer_key_id: null, keys: {}};

  function say(text) { problem.textContent = text; problem.hidden = !text; }

  async function refresh() {
    const answer = await fetch(`/c/${peerId}/messages`, {credentials: "same-origin"});
    if (!answer.ok) return;
    latest = await answer.json();
    for (const m of latest.messages) {
      if (shown.has(m.id)) continue;
      shown.add(m.id);
      const opened = await openMessage(mine, m, latest.keys);
      const item = document.createElement("li");
      item.className = (m.from_me ? "mine" : "theirs") + (opened.unreadable ? " unreadable" : "");
      let text;
      if (opened.sticker) {
        text = stickerImage(opened.sticker);
      } else {
        text = document.createElement("p");
        text.className = "text";
        text.textContent = opened.text ?? opened.unreadable;
      }
      const when = document.createElement("time");
      when.dateTime = m.sent_at;
      when.textContent = new Date(m.sent_at).toLocaleString();
      item.append(text, when);
      list.append(item);
    }
    send.disabled = latest.peer_key_id === null;
    for (const button of stickers) button.disabled = send.disabled;
    if (latest.peer_key_id === null) {
      say("They haven't opened Chat in a browser yet, so there is no key to encrypt to. Try again later.");
    } else if (problem.textContent.startsWith("They haven't")) {
      say("");
    }
  }

  async function seal(plaintext) {
    const theirKeyId = latest.peer_key_id;
    const envelope = {sender_key_id: mine.keyId, recipient_key_id: theirKeyId};
    const key = await conversationKey(mine, theirKeyId, latest.keys[String(theirKeyId)]);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const sealed = await crypto.subtle.encrypt(
      {name: "AES-GCM", iv, additionalData: associated(envelope)}, key, encoder.encode(plaintext));
    await postJson(`/c/${peerId}/messages`,
                   {...envelope, iv: toBase64(iv), ciphertext: toBase64(sealed)});
  }

  async function sendSealed(plaintext, what) {
    if (latest.peer_key_id === null) return false;
    send.disabled = true;
    try {
      await seal(plaintext);
      say("");
      await refresh();
      return true;
    } catch (error) {
      say(`The ${what} was not sent. Check your connection and try again.`);
      return false;
    } finally {
      send.disabled = latest.peer_key_id === null;
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    if (await sendSealed(text, "message")) input.value = "";
  });

  for (const button of stickers) {
    button.addEventListener("click", () => sendSealed(
      STICKER + JSON.stringify({ref: button.dataset.sticker, title: button.dataset.title}),
      "sticker"));
  }

  await refresh();
  setInterval(() => refresh().catch(() => {}), POLL_MS);
}

async function start() {
  const status = document.getElementById("key-status");
  let mine;
  try {
    mine = await myKey();
  } catch (error) {
    if (status) status.textContent = "This browser can't set up encryption, so messages can't be sent or read here.";
    return;
  }
  if (status) status.textContent = "End-to-end encryption is ready in this browser.";
  document.body.dataset.keyReady = String(mine.keyId);
  const list = document.getElementById("messages");
  if (list) await runConversation(mine, list);
}

start();

// The portal's side of midtriage's postMessage API (see src/embed.rs):
// wait for "midtriage:ready", pre-fill answers, grow the iframe with "midtriage:height", and
// ask for a summary (finding ids and titles only) with "midtriage:summary-request".
const frame = document.getElementById("midtriage-frame");
const app = new URL(frame.dataset.app, location.href);
app.searchParams.set("embed", "1");
frame.src = app.href;
const appOrigin = app.origin;
const events = document.getElementById("events");

window.addEventListener("message", (e) => {
  if (e.origin !== appOrigin || e.source !== frame.contentWindow) return;
  const msg = e.data;
  events.textContent += `${msg.type}\n`;
  if (msg.type === "midtriage:ready") {
    frame.contentWindow.postMessage(
      {
        type: "midtriage:prefill",
        symptoms: ["down"],
        status: "down",
        upgradeHistory: "glide-zurich-07-01-2025__patch4-11-20-2025_11-25-2025_1200.zip Complete",
      },
      appOrigin,
    );
  } else if (msg.type === "midtriage:height") {
    frame.style.height = `${msg.height}px`;
  } else if (msg.type === "midtriage:summary") {
    document.getElementById("summary").textContent = JSON.stringify(msg, null, 2);
  }
});

document.getElementById("ask-summary").addEventListener("click", () => {
  frame.contentWindow.postMessage({ type: "midtriage:summary-request", id: "ticket" }, appOrigin);
});

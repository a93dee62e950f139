// Offers the browser's time zone when the study settings hold another one (study days start at a local hour).
(() => {
  const offer = document.querySelector("[data-tz-offer]");
  if (!offer || !window.Intl) return;
  const browser = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!browser || browser === offer.dataset.tzSaved) return;
  offer.querySelectorAll("[data-tz-name]").forEach((el) => { el.textContent = browser; });
  offer.querySelector("input[name=time_zone]").value = browser;
  offer.hidden = false;
})();

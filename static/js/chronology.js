// What the chronology's page does with JavaScript on, on top of what htmx does. Without
// it every control is still a link or a form field, and the page works as plain pages.

// Keep permalinks short: leave empty fields out of the query string that
// htmx sends and pushes to the address bar (a plain form submit keeps them,
// and the server reads both the same way).
document.addEventListener("htmx:configRequest", (event) => {
  const data = event.detail.formData;
  if (!data) return;
  for (const name of [...new Set(data.keys())]) {
    if (data.getAll(name).every((value) => value === "")) data.delete(name);
  }
});

// ------------------------------------------------------------ focus after a swap
//
// A swap can take away the control that was used (a year of the axis, a chip, "Show
// more"), and with it the focus, which would fall back to the top of the page. Once
// the new content has settled, if the focus was lost, it goes to the same control in
// the new content (same id, or a link with the same address in the same group), else:
// after "Show more", to the first of the events it brought; otherwise to the heading
// that says what the results now hold. htmx itself restores the focus to a field
// replaced by one with the same id (a facet's checkbox).

// The groups of links whose swaps replace them, by where they stand.
const LINK_GROUPS = [".axis", ".chips", "#show-more"];

let used = null; // the control of the request under way, as found again after its swap

document.addEventListener("htmx:beforeRequest", (event) => {
  const requester = event.detail.elt;
  // A form asks on behalf of the field that changed, which has the focus.
  const control = requester instanceof HTMLFormElement ? document.activeElement : requester;
  const group = control && LINK_GROUPS.find((selector) => control.closest(selector));
  const panel = document.getElementById("filter-panel");
  used = {
    id: control?.id || "",
    href: control?.getAttribute?.("href") || "",
    group: group || "",
    events: document.querySelectorAll("#event-list article").length,
    filtersOpen: Boolean(panel?.open),
  };
});

// A request that swaps nothing in (a server error, no network) leaves the focus where it is.
for (const name of ["htmx:responseError", "htmx:sendError", "htmx:timeout"]) {
  document.addEventListener(name, () => {
    used = null;
  });
}

function focusLost() {
  const active = document.activeElement;
  return !active || active === document.body || !active.isConnected;
}

function sameControl(control) {
  if (control.id) {
    const found = document.getElementById(control.id);
    if (found) return found;
  }
  if (!control.group || !control.href) return null;
  for (const link of document.querySelectorAll(`${control.group} a[href]`)) {
    if (link.getAttribute("href") === control.href) return link;
  }
  return null;
}

// afterSettle comes once for each element swapped in (out-of-band ones too), after all
// of them are in place: the first is enough.
document.addEventListener("htmx:afterSettle", () => {
  if (!used) return;
  const control = used;
  used = null;
  // A swap of the whole chronology leaves the filters as the reader had them, open or closed.
  const panel = document.getElementById("filter-panel");
  if (panel && control.filtersOpen) panel.open = true;
  if (!focusLost()) return;
  let target = sameControl(control);
  if (!target && control.group === "#show-more") {
    const first = document.querySelectorAll("#event-list article")[control.events];
    target = first?.querySelector("h4 a");
  }
  target = target || document.getElementById("results-heading");
  target?.focus();
});

// ------------------------------------------------------------ the axis, one tab stop
//
// The years of the axis are links, each reachable by Tab without JavaScript. With it,
// the axis is one tab stop (a roving tabindex): Tab reaches the chosen year, or the first
// with events; Left and Right move to the previous and next year with events, Home and
// End to the first and last; Enter follows the link, as ever. A hint says so, made here
// with the tab stop: without JavaScript every year is a tab stop and the hint would lie.

function years(axis) {
  return [...axis.querySelectorAll("li > a")];
}

function hasEvents(link) {
  return !link.parentElement.classList.contains("empty");
}

function rove(axis, current) {
  for (const link of years(axis)) link.tabIndex = link === current ? 0 : -1;
}

function isChosen(link) {
  return link.parentElement.classList.contains("selected");
}

function setUpAxis(axis) {
  const links = years(axis);
  const current =
    links.find((link) => isChosen(link) && hasEvents(link)) ||
    links.find(hasEvents) ||
    links.find(isChosen) ||
    links[0];
  if (current) rove(axis, current);
  describe(axis, links);
}

// The hint follows its axis, shown while a bar has the keyboard's focus (site.css), and is
// each bar's accessible description, read when the bar is focused (it replaces the title,
// which repeats the bar's name). A history snapshot keeps it: it is made once.
function describe(axis, links) {
  const unit = axis.dataset.unit || "year";
  let hint = axis.nextElementSibling;
  if (!hint?.matches(".axis-hint")) {
    hint = document.createElement("p");
    hint.className = "axis-hint";
    hint.id = `axis-hint-${unit}`;
    hint.textContent =
      `Left and Right arrows move between ${unit}s with events; Enter shows the ${unit}.`;
    axis.after(hint);
  }
  for (const link of links) link.setAttribute("aria-describedby", hint.id);
}

// Where the axis is narrower than its bars (a phone: site.css), it scrolls sideways:
// bring the chosen years (or months) into its view, centred, or else the last with
// events, the latest news. Only the axis scrolls, never the page.
function reveal(axis) {
  if (axis.scrollWidth <= axis.clientWidth) return;
  const links = years(axis);
  const chosen = links.filter(isChosen);
  const shown = chosen.length ? chosen : links.filter(hasEvents).slice(-1);
  if (!shown.length) return;
  const view = axis.getBoundingClientRect();
  const first = shown[0].getBoundingClientRect();
  const last = shown.at(-1).getBoundingClientRect();
  // Years that do not fit together are shown from the first.
  const width = Math.min(last.right - first.left, axis.clientWidth);
  const middle = view.left + axis.clientLeft + axis.clientWidth / 2;
  axis.scrollLeft += first.left + width / 2 - middle;
}

// htmx:load comes for the page once it is ready, then for each piece of new content
// (after a history restore too, for each element of the restored page).
document.addEventListener("htmx:load", (event) => {
  const content = event.target;
  const axes = [...(content.querySelectorAll?.(".axis") ?? [])];
  if (content.matches?.(".axis")) axes.unshift(content);
  for (const axis of axes) {
    setUpAxis(axis);
    reveal(axis);
  }
});

const MOVES = {
  ArrowRight: (links, at) => links.slice(at + 1).find(hasEvents),
  ArrowLeft: (links, at) => links.slice(0, at).findLast(hasEvents),
  Home: (links) => links.find(hasEvents),
  End: (links) => links.findLast(hasEvents),
};

document.addEventListener("keydown", (event) => {
  const move = MOVES[event.key];
  if (!move || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
  const link = event.target.closest?.(".axis li > a");
  if (!link) return;
  const axis = link.closest(".axis");
  const links = years(axis);
  const next = move(links, links.indexOf(link));
  event.preventDefault();
  if (!next) return;
  rove(axis, next);
  next.focus();
});

// A year focused by any means (a click, a swap) is the one Tab comes back to.
document.addEventListener("focusin", (event) => {
  const link = event.target.closest?.(".axis li > a");
  if (link) rove(link.closest(".axis"), link);
});

// ------------------------------------------------------------ after Back and Forward
//
// Back and Forward bring an earlier view back from htmx's history: the copy of the page
// kept in the tab, else the page asked for again (a history restore request). Either
// replaces the whole page, and the focus falls to <body>. It goes to the heading that
// says what the results hold, without scrolling: the browser and htmx put the page back
// where the reader had it. The live region says it too, as it does after every swap.

// The live region is kept through a restore, as swaps keep it, so that screen readers
// are still listening to it: htmx keeps an element marked hx-preserve, here from the
// page's copies in the history. (A page asked for again brings a new one, marked as it
// loads.)
function keepLiveRegion() {
  document.getElementById("announce")?.setAttribute("hx-preserve", "true");
}
document.addEventListener("htmx:load", keepLiveRegion);

let announcing = 0;

// Emptied, then filled a moment later: a screen reader hears it even when it says what
// it said last, or the region is new.
function announce(text) {
  const live = document.getElementById("announce");
  if (!live) return;
  clearTimeout(announcing);
  live.textContent = "";
  announcing = setTimeout(() => {
    if (live.textContent === "") live.textContent = text;
  }, 100);
}

document.addEventListener("htmx:historyRestore", () => {
  const heading = document.getElementById("results-heading");
  if (!heading) return;
  heading.focus({ preventScroll: true });
  // The heading says how many events the view holds, as a swap's news does.
  announce(heading.textContent.replace(/\s+/g, " ").trim());
});

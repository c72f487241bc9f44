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

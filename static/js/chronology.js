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

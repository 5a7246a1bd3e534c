// Post/redirect/get for the pages a form post answers in place (a form shown again with what
// was wrong, recovery codes shown once): the history entry becomes a plain visit of the page
// (or of data-refresh-to), so reloading never sends the form again.
if (window.history && window.history.replaceState) {
  window.history.replaceState(null, "", document.body.dataset.refreshTo || window.location.href);
}

// Posts the page's only form as soon as it is loaded (the helpdesk sign-in hand-off). Served as
// a file so the Content-Security-Policy needs no inline script; without JavaScript the page's
// button does the same.
document.addEventListener("DOMContentLoaded", function () {
  document.forms[0].submit();
});

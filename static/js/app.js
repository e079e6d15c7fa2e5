// ServicePact: the little script the pages need on top of HTMX.
// Show the server's error page content when an HTMX request fails, instead of nothing.
document.addEventListener("htmx:responseError", function (evt) {
  var xhr = evt.detail.xhr;
  if (xhr && xhr.status >= 400) {
    var target = evt.detail.target;
    if (target) { target.innerHTML = '<div class="alert alert-error" role="alert">' + (xhr.status === 403 ? "403" : xhr.status) + "</div>"; }
  }
});

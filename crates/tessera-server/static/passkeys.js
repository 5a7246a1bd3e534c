// Passkey ceremonies for the login, second-step and account pages (WebAuthn Level 3): the
// server's options go to navigator.credentials, the credential comes back as JSON. Served as a
// file so the Content-Security-Policy needs no inline script. Without JavaScript or WebAuthn the
// buttons stay hidden behind the error text and every page still works with a password.
(function () {
  "use strict";
  if (!window.PublicKeyCredential) {
    return;
  }

  function b64urlToBytes(text) {
    const b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const raw = atob(b64 + "===".slice((b64.length + 3) % 4));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  }
  function bytesToB64url(buffer) {
    const bytes = new Uint8Array(buffer);
    let raw = "";
    bytes.forEach((b) => { raw += String.fromCharCode(b); });
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // Browsers without parse*OptionsFromJSON / toJSON (WebAuthn Level 3) get the same result.
  function creationOptions(json) {
    if (PublicKeyCredential.parseCreationOptionsFromJSON) {
      return PublicKeyCredential.parseCreationOptionsFromJSON(json);
    }
    const o = Object.assign({}, json);
    o.challenge = b64urlToBytes(json.challenge);
    o.user = Object.assign({}, json.user, { id: b64urlToBytes(json.user.id) });
    o.excludeCredentials = (json.excludeCredentials || []).map((c) => Object.assign({}, c, { id: b64urlToBytes(c.id) }));
    return o;
  }
  function requestOptions(json) {
    if (PublicKeyCredential.parseRequestOptionsFromJSON) {
      return PublicKeyCredential.parseRequestOptionsFromJSON(json);
    }
    const o = Object.assign({}, json);
    o.challenge = b64urlToBytes(json.challenge);
    o.allowCredentials = (json.allowCredentials || []).map((c) => Object.assign({}, c, { id: b64urlToBytes(c.id) }));
    return o;
  }
  function credentialJson(cred) {
    if (cred.toJSON) {
      return cred.toJSON();
    }
    const r = cred.response;
    const response = { clientDataJSON: bytesToB64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = bytesToB64url(r.attestationObject);
    } else {
      response.authenticatorData = bytesToB64url(r.authenticatorData);
      response.signature = bytesToB64url(r.signature);
      if (r.userHandle) {
        response.userHandle = bytesToB64url(r.userHandle);
      }
    }
    return { id: cred.id, rawId: bytesToB64url(cred.rawId), type: cred.type, response: response,
      clientExtensionResults: cred.getClientExtensionResults() };
  }

  function post(url, fields) {
    return fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
      credentials: "same-origin",
    }).then((res) => res.json().catch(() => ({ error: "The server answered " + res.status + "." })));
  }
  function showError(text) {
    const box = document.getElementById("passkey-error");
    if (box) {
      box.textContent = text;
      box.hidden = false;
    }
  }
  function failed(err) {
    if (err && err.name === "NotAllowedError") {
      showError("The passkey request was cancelled or timed out. Try again.");
    } else if (err && err.name === "InvalidStateError") {
      showError("This device already has a passkey for your account.");
    } else {
      showError((err && err.message) || "The passkey could not be used.");
    }
  }

  // Sign in (no password, or as the second step): the server knows which from the page's cookie.
  function signIn(button, mediation, signal) {
    const csrf = button.dataset.csrf;
    return post("/passkeys/sign-in/options", { csrf: csrf }).then((started) => {
      if (started.error) {
        throw new Error(started.error);
      }
      const request = { publicKey: requestOptions(started.options.publicKey) };
      if (mediation) {
        request.mediation = mediation;
        request.signal = signal;
      }
      return navigator.credentials.get(request).then((cred) => post("/passkeys/sign-in", {
        csrf: csrf, ceremony: started.ceremony, credential: JSON.stringify(credentialJson(cred)),
        next: button.dataset.next || "",
      }));
    }).then((done) => {
      if (done.error) {
        throw new Error(done.error);
      }
      window.location.assign(done.redirect);
    });
  }

  const signInButton = document.getElementById("passkey-sign-in");
  if (signInButton) {
    let autofill = null;
    // The browser's autofill on the username field offers passkeys (conditional mediation),
    // where supported; the button asks at once.
    if (document.querySelector("input[autocomplete~='webauthn']") && PublicKeyCredential.isConditionalMediationAvailable) {
      PublicKeyCredential.isConditionalMediationAvailable().then((available) => {
        if (available) {
          autofill = new AbortController();
          signIn(signInButton, "conditional", autofill.signal).catch((err) => {
            if (err && err.name !== "AbortError" && err.name !== "NotAllowedError") {
              failed(err);
            }
          });
        }
      });
    }
    signInButton.addEventListener("click", () => {
      if (autofill) {
        autofill.abort();
        autofill = null;
      }
      signIn(signInButton).catch(failed);
    });
  }

  const addForm = document.getElementById("passkey-add");
  if (addForm) {
    addForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const csrf = addForm.dataset.csrf;
      const name = document.getElementById("passkey-name").value;
      post("/account/passkeys/options", { csrf: csrf }).then((started) => {
        if (started.error && started.redirect) {
          // Confirm it is you first (sign in again, or the second step); back here after.
          window.location.assign(started.redirect);
          return { redirect: started.redirect };
        }
        if (started.error) {
          throw new Error(started.error);
        }
        return navigator.credentials.create({ publicKey: creationOptions(started.options.publicKey) })
          .then((cred) => post("/account/passkeys", {
            csrf: csrf, ceremony: started.ceremony, name: name, credential: JSON.stringify(credentialJson(cred)),
          }));
      }).then((done) => {
        if (done.error) {
          throw new Error(done.error);
        }
        window.location.assign(done.redirect);
      }).catch(failed);
    });
  }
})();

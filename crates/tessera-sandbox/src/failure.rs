//! The per-provider failure switch: a middleware on each provider's API
//! routes that answers the next call with a queued [`Failure`].

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::{Failure, Provider, SandboxState};

pub(crate) async fn inject(
    State((state, provider)): State<(SandboxState, Provider)>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let failure = state.take_failure(provider, &path, |f| {
        matches!(f, Failure::ServerError | Failure::InvalidJson)
    });
    match failure {
        Some(Failure::ServerError) => {
            (StatusCode::INTERNAL_SERVER_ERROR, "sandbox: injected server error").into_response()
        }
        Some(_) => (
            StatusCode::OK,
            [("content-type", "application/json")],
            "<html>this is not JSON {",
        )
            .into_response(),
        None => next.run(request).await,
    }
}

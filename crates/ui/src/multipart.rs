//! File uploads from pages: the body limit. Forms are read with axum's `Multipart` (multer), and
//! the CSRF guard reads the `_csrf` field with multer too — one parser for every upload.

/// The body limit for uploads: the largest accepted file plus room for the form around it.
pub const UPLOAD_MAX_BYTES: usize = 4 * 1024 * 1024 + 64 * 1024;

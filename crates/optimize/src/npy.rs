//! Reads a 2-D `float64` NumPy `.npy` file: the binary path that lets benchmarks compare the
//! solver without 170 MB of CSV text in the way.

use crate::matrix::Matrix;

/// Why a `.npy` file could not be read as a matrix.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NpyError {
    /// Not an `.npy` file, or a header we do not understand.
    #[error("not a NumPy .npy file: {0}")]
    Format(String),
    /// An `.npy` file of another type or shape.
    #[error("unsupported .npy content: {0} (expected a 2-D little-endian float64 array)")]
    Unsupported(String),
}

/// Parses the bytes of a `.npy` file holding a 2-D little-endian `float64` array
/// (C or Fortran order).
///
/// ```
/// let mut file = b"\x93NUMPY\x01\x00".to_vec();
/// let header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }";
/// file.extend_from_slice(&(header.len() as u16).to_le_bytes());
/// file.extend_from_slice(header.as_bytes());
/// for x in [1.5f64, 2.0] {
///     file.extend_from_slice(&x.to_le_bytes());
/// }
/// let m = optimize::npy::parse_npy(&file).unwrap();
/// assert_eq!(m.row(0), &[1.5, 2.0]);
/// ```
pub fn parse_npy(bytes: &[u8]) -> Result<Matrix, NpyError> {
    let format = |m: &str| NpyError::Format(m.to_string());
    if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
        return Err(format("missing the \\x93NUMPY magic"));
    }
    let (header_len, start) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        v => return Err(NpyError::Format(format!("version {v}"))),
    };
    let header = bytes
        .get(start..start + header_len)
        .and_then(|h| std::str::from_utf8(h).ok())
        .ok_or_else(|| format("truncated header"))?;
    let descr = dict_value(header, "descr").ok_or_else(|| format("no 'descr'"))?;
    let dtype = descr.split(',').next().unwrap_or("").trim();
    if !matches!(dtype.trim_matches(['\'', '"']), "<f8" | "f8" | "float64") {
        return Err(NpyError::Unsupported(format!("dtype {dtype}")));
    }
    let fortran = dict_value(header, "fortran_order").is_some_and(|v| v.starts_with("True"));
    let shape = header
        .split_once("'shape'")
        .and_then(|(_, rest)| rest.split_once('('))
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(dims, _)| dims)
        .ok_or_else(|| format("no 'shape'"))?;
    let dims: Vec<usize> = shape
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| d.parse().map_err(|_| format("bad shape")))
        .collect::<Result<_, _>>()?;
    let [rows, cols] = dims[..] else {
        return Err(NpyError::Unsupported(format!("{}-D array", dims.len())));
    };
    let body = &bytes[start + header_len..];
    if body.len() != rows * cols * 8 {
        return Err(format("data length does not match the shape"));
    }
    let data: Vec<f64> = body
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().expect("chunks of 8")))
        .collect();
    Ok(if fortran {
        Matrix::from_row_major(cols, rows, data).transposed()
    } else {
        Matrix::from_row_major(rows, cols, data)
    })
}

/// The header text right after `'key':`; callers only look at how the value starts.
fn dict_value<'a>(header: &'a str, key: &str) -> Option<&'a str> {
    let (_, rest) = header.split_once(&format!("'{key}'"))?;
    let (_, rest) = rest.split_once(':')?;
    Some(rest.trim_start())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npy(header: &str, values: &[f64]) -> Vec<u8> {
        let mut file = b"\x93NUMPY\x01\x00".to_vec();
        file.extend_from_slice(&(header.len() as u16).to_le_bytes());
        file.extend_from_slice(header.as_bytes());
        for x in values {
            file.extend_from_slice(&x.to_le_bytes());
        }
        file
    }

    #[test]
    fn reads_c_and_fortran_order() {
        let values = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let c = parse_npy(&npy(
            "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }",
            &values,
        ))
        .unwrap();
        assert_eq!(c.row(1), &[4.0, 5.0, 6.0]);
        let f = parse_npy(&npy(
            "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }",
            &values,
        ))
        .unwrap();
        assert_eq!(f.row(0), &[1.0, 3.0, 5.0]);
    }

    #[test]
    fn rejects_other_types_and_shapes() {
        let i4 = npy(
            "{'descr': '<i4', 'fortran_order': False, 'shape': (1, 2), }",
            &[0.0],
        );
        assert!(matches!(parse_npy(&i4), Err(NpyError::Unsupported(_))));
        let one_d = npy(
            "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
            &[1.0, 2.0],
        );
        assert!(matches!(parse_npy(&one_d), Err(NpyError::Unsupported(_))));
        assert!(matches!(parse_npy(b"hello"), Err(NpyError::Format(_))));
    }
}

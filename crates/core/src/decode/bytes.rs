//! Bounds-checked big-endian reads: every accessor returns `None` past the end.

pub fn u8_at(data: &[u8], at: usize) -> Option<u8> {
    data.get(at).copied()
}

pub fn be16(data: &[u8], at: usize) -> Option<u16> {
    let b = data.get(at..at.checked_add(2)?)?;
    Some(u16::from_be_bytes([*b.first()?, *b.get(1)?]))
}

pub fn be32(data: &[u8], at: usize) -> Option<u32> {
    let b = data.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([
        *b.first()?,
        *b.get(1)?,
        *b.get(2)?,
        *b.get(3)?,
    ]))
}

pub fn le32(data: &[u8], at: usize) -> Option<u32> {
    be32(data, at).map(u32::swap_bytes)
}

pub fn le16(data: &[u8], at: usize) -> Option<u16> {
    be16(data, at).map(u16::swap_bytes)
}

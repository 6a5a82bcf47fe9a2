//! The attribute by path, with a trailing comma and keys in any order.

pub trait Search: Send + Sync {}

#[weft::component(provides = dyn Search, name = "search-2_b",)]
#[derive(Debug, Default)]
pub struct Search2 {
    pub hits: u32,
}

impl Search for Search2 {}

fn main() {
    assert_eq!(format!("{:?}", Search2::default()), "Search2 { hits: 0 }");
}

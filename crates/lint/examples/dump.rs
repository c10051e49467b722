//! Prints the syntax tree of a SQL file, nodes only (a development aid).
use squawk_syntax::ast::AstNode;
use squawk_syntax::{SyntaxNode, ast};

fn print(node: &SyntaxNode, depth: usize) {
    let toks: Vec<String> = node
        .children_with_tokens()
        .filter_map(|e| e.into_token())
        .filter(|t| !t.kind().is_trivia())
        .map(|t| format!("{:?}", t.text()))
        .collect();
    println!("{}{:?}@{:?} {}", "  ".repeat(depth), node.kind(), node.text_range(), toks.join(" "));
    for c in node.children() {
        print(&c, depth + 1);
    }
}

fn main() {
    let path = std::env::args().nth(1).expect("path");
    let sql = std::fs::read_to_string(path).unwrap();
    let parse = squawk_syntax::SourceFile::parse(&sql);
    print(&parse.syntax_node(), 0);
    for e in parse.errors() {
        println!("ERR {:?} {}", e.range(), e.message());
    }
    for node in parse.syntax_node().descendants() {
        let body = ast::Do::cast(node.clone())
            .and_then(|d| d.plpgsql())
            .or_else(|| ast::CreateFunction::cast(node.clone()).and_then(|f| f.plpgsql()));
        if let Some(b) = body {
            print(&b.syntax(), 1);
            for e in b.errors() {
                println!("BERR {:?} {}", e.range(), e.message());
            }
        }
    }
}

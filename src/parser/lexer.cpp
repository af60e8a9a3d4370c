#include "parser/lexer.h"

#include <fmt/format.h>

#include "common/exception.h"

namespace floe {

namespace {

bool IsIdentStart(unsigned char c) {
    return std::isalpha(c) || c == '_' || c == '$' || c >= 0x80;
}
bool IsIdentChar(unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

class LexerState {
  public:
    explicit LexerState(std::string_view sql) : s_(sql) {}

    std::vector<Token> Run() {
        std::vector<Token> out;
        while (true) {
            SkipSpaceAndComments();
            Token t;
            t.line = line_;
            t.column = column_;
            t.offset = static_cast<uint32_t>(pos_);
            if (pos_ >= s_.size()) {
                t.type = TokenType::END;
                t.end = t.offset;
                out.push_back(t);
                return out;
            }
            Next(t);
            t.end = static_cast<uint32_t>(pos_);
            out.push_back(std::move(t));
        }
    }

  private:
    [[noreturn]] void Fail(uint32_t line, uint32_t col, const std::string& what) {
        throw ParserError(fmt::format("line {}, column {}: {}", line, col, what));
    }

    char Peek(size_t k = 0) const { return pos_ + k < s_.size() ? s_[pos_ + k] : '\0'; }

    void Advance(size_t n = 1) {
        for (size_t i = 0; i < n && pos_ < s_.size(); ++i) {
            if (s_[pos_] == '\n') {
                ++line_;
                column_ = 1;
            } else if ((static_cast<unsigned char>(s_[pos_]) & 0xC0) != 0x80) {
                ++column_;
            }
            ++pos_;
        }
    }

    void SkipSpaceAndComments() {
        while (pos_ < s_.size()) {
            char c = Peek();
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
                Advance();
            } else if (c == '#' ||
                       (c == '-' && Peek(1) == '-' &&
                        (Peek(2) == ' ' || Peek(2) == '\t' || Peek(2) == '\n' || Peek(2) == '\r' || Peek(2) == '\0'))) {
                while (pos_ < s_.size() && Peek() != '\n') Advance();
            } else if (c == '/' && Peek(1) == '*') {
                if (Peek(2) == '!' || Peek(2) == '+') {
                    // Executable comment /*!50003 code */ or optimizer hint /*+ ... */: code stays, the markers go.
                    bool hint = Peek(2) == '+';
                    uint32_t l = line_, col = column_;
                    if (hint) {
                        Advance(3);
                        while (pos_ < s_.size() && !(Peek() == '*' && Peek(1) == '/')) Advance();
                        if (pos_ >= s_.size()) Fail(l, col, "unterminated comment");
                        Advance(2);
                        continue;
                    }
                    Advance(3);
                    while (std::isdigit(static_cast<unsigned char>(Peek()))) Advance();
                    ++executable_depth_;
                } else {
                    uint32_t l = line_, col = column_;
                    Advance(2);
                    while (pos_ < s_.size() && !(Peek() == '*' && Peek(1) == '/')) Advance();
                    if (pos_ >= s_.size()) Fail(l, col, "unterminated comment");
                    Advance(2);
                }
            } else if (c == '*' && Peek(1) == '/' && executable_depth_ > 0) {
                --executable_depth_;
                Advance(2);
            } else {
                break;
            }
        }
    }

    void Next(Token& t) {
        unsigned char c = static_cast<unsigned char>(Peek());
        // Hex literals: X'1F', 0x1F.
        if ((c == 'x' || c == 'X') && Peek(1) == '\'') {
            Advance(2);
            std::string hex;
            while (pos_ < s_.size() && Peek() != '\'') {
                hex.push_back(Peek());
                Advance();
            }
            if (pos_ >= s_.size()) Fail(t.line, t.column, "unterminated hex string");
            Advance();
            t.type = TokenType::HEX_STRING;
            t.text = DecodeHex(hex, t);
            return;
        }
        if (c == '0' && (Peek(1) == 'x' || Peek(1) == 'X') && std::isxdigit(static_cast<unsigned char>(Peek(2)))) {
            Advance(2);
            std::string hex;
            while (std::isxdigit(static_cast<unsigned char>(Peek()))) {
                hex.push_back(Peek());
                Advance();
            }
            if (hex.size() <= 16) {
                t.type = TokenType::INTEGER;
                t.text = std::to_string(std::stoull(hex, nullptr, 16));
                if (std::stoull(hex, nullptr, 16) > static_cast<unsigned long long>(INT64_MAX))
                    t.type = TokenType::INTEGER;
            } else {
                t.type = TokenType::HEX_STRING;
                t.text = DecodeHex(hex, t);
            }
            return;
        }
        if (std::isdigit(c) || (c == '.' && std::isdigit(static_cast<unsigned char>(Peek(1))))) {
            LexNumber(t);
            return;
        }
        if (IsIdentStart(c)) {
            size_t start = pos_;
            while (pos_ < s_.size() && IsIdentChar(static_cast<unsigned char>(Peek()))) Advance();
            t.type = TokenType::IDENTIFIER;
            t.text = std::string(s_.substr(start, pos_ - start));
            return;
        }
        if (c == '`') {
            Advance();
            std::string v;
            while (true) {
                if (pos_ >= s_.size()) Fail(t.line, t.column, "unterminated quoted identifier");
                if (Peek() == '`') {
                    if (Peek(1) == '`') {
                        v.push_back('`');
                        Advance(2);
                        continue;
                    }
                    Advance();
                    break;
                }
                v.push_back(Peek());
                Advance();
            }
            t.type = TokenType::QUOTED_IDENTIFIER;
            t.text = std::move(v);
            return;
        }
        if (c == '\'' || c == '"') {
            t.type = TokenType::STRING;
            t.text = LexString(static_cast<char>(c), t);
            return;
        }
        if (c == '?') {
            Advance();
            t.type = TokenType::PARAMETER;
            t.text = "?";
            return;
        }
        if (c == '@') {
            if (Peek(1) == '@') {
                Advance(2);
                size_t start = pos_;
                while (pos_ < s_.size() && (IsIdentChar(static_cast<unsigned char>(Peek())) || Peek() == '.'))
                    Advance();
                t.type = TokenType::SYSTEM_VARIABLE;
                t.text = std::string(s_.substr(start, pos_ - start));
                if (t.text.empty()) Fail(t.line, t.column, "syntax error at '@@': expected a variable name");
                return;
            }
            Advance();
            if (Peek() == '\'' || Peek() == '"' || Peek() == '`') {
                Token q;
                Next(q);
                t.type = TokenType::USER_VARIABLE;
                t.text = q.text;
                return;
            }
            size_t start = pos_;
            while (pos_ < s_.size() && (IsIdentChar(static_cast<unsigned char>(Peek())) || Peek() == '.')) Advance();
            t.type = TokenType::USER_VARIABLE;
            t.text = std::string(s_.substr(start, pos_ - start));
            if (t.text.empty()) {
                // A bare '@' (as in 'user'@'host') is an operator.
                t.type = TokenType::OPERATOR;
                t.text = "@";
            }
            return;
        }
        static const char* kOps[] = {"<=>", "=>", "<<", ">>", "<=", ">=",  "<>",
                                     "!=",  "&&", "||", "::", ":=", "->>", "->"};
        for (const char* op : kOps) {
            size_t n = std::char_traits<char>::length(op);
            if (s_.substr(pos_, n) == op) {
                // Prefer "->>" over "->".
                Advance(n);
                t.type = TokenType::OPERATOR;
                t.text = op;
                return;
            }
        }
        if (std::string_view("=<>+-*/%&|^~!,.;()[]{}:").find(static_cast<char>(c)) != std::string_view::npos) {
            Advance();
            t.type = TokenType::OPERATOR;
            t.text = std::string(1, static_cast<char>(c));
            return;
        }
        Fail(t.line, t.column, fmt::format("syntax error at '{}': unexpected character", static_cast<char>(c)));
    }

    std::string DecodeHex(std::string hex, const Token& t) {
        if (hex.size() % 2) hex.insert(hex.begin(), '0');
        std::string out;
        for (size_t i = 0; i < hex.size(); i += 2) {
            if (!std::isxdigit(static_cast<unsigned char>(hex[i])) ||
                !std::isxdigit(static_cast<unsigned char>(hex[i + 1]))) {
                Fail(t.line, t.column, "invalid hex string");
            }
            out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
        }
        return out;
    }

    void LexNumber(Token& t) {
        size_t start = pos_;
        bool dot = false, exp = false;
        while (std::isdigit(static_cast<unsigned char>(Peek()))) Advance();
        if (Peek() == '.' && std::isdigit(static_cast<unsigned char>(Peek(1)))) {
            dot = true;
            Advance();
            while (std::isdigit(static_cast<unsigned char>(Peek()))) Advance();
        } else if (Peek() == '.' && !IsIdentStart(static_cast<unsigned char>(Peek(1)))) {
            dot = true;  // "1." is a decimal
            Advance();
        }
        if ((Peek() == 'e' || Peek() == 'E') &&
            (std::isdigit(static_cast<unsigned char>(Peek(1))) ||
             ((Peek(1) == '+' || Peek(1) == '-') && std::isdigit(static_cast<unsigned char>(Peek(2)))))) {
            exp = true;
            Advance(2);
            while (std::isdigit(static_cast<unsigned char>(Peek()))) Advance();
        }
        // An identifier may start with digits (e.g. 1abc): MySQL treats it as an identifier.
        if (!dot && !exp && IsIdentStart(static_cast<unsigned char>(Peek()))) {
            while (pos_ < s_.size() && IsIdentChar(static_cast<unsigned char>(Peek()))) Advance();
            t.type = TokenType::IDENTIFIER;
            t.text = std::string(s_.substr(start, pos_ - start));
            return;
        }
        t.text = std::string(s_.substr(start, pos_ - start));
        t.type = exp ? TokenType::FLOAT : (dot ? TokenType::DECIMAL : TokenType::INTEGER);
    }

    std::string LexString(char quote, const Token& t) {
        Advance();
        std::string v;
        while (true) {
            if (pos_ >= s_.size()) Fail(t.line, t.column, "unterminated string literal");
            char c = Peek();
            if (c == quote) {
                if (Peek(1) == quote) {
                    v.push_back(quote);
                    Advance(2);
                    continue;
                }
                Advance();
                break;
            }
            if (c == '\\' && pos_ + 1 < s_.size()) {
                char e = Peek(1);
                Advance(2);
                switch (e) {
                    case 'n':
                        v.push_back('\n');
                        break;
                    case 't':
                        v.push_back('\t');
                        break;
                    case 'r':
                        v.push_back('\r');
                        break;
                    case '0':
                        v.push_back('\0');
                        break;
                    case 'b':
                        v.push_back('\b');
                        break;
                    case 'Z':
                        v.push_back('\x1A');
                        break;
                    case '%':
                        v += "\\%";
                        break;  // kept for LIKE, as MySQL does
                    case '_':
                        v += "\\_";
                        break;
                    default:
                        v.push_back(e);
                        break;
                }
                continue;
            }
            v.push_back(c);
            Advance();
        }
        // Adjacent string literals concatenate: 'a' 'b' = 'ab'.
        size_t save_pos = pos_;
        uint32_t save_line = line_, save_col = column_;
        SkipSpaceAndComments();
        if (Peek() == '\'' || (Peek() == '"' && quote == '"')) {
            v += LexString(Peek(), t);
        } else {
            pos_ = save_pos;
            line_ = save_line;
            column_ = save_col;
        }
        return v;
    }

    std::string_view s_;
    size_t pos_ = 0;
    uint32_t line_ = 1;
    uint32_t column_ = 1;
    int executable_depth_ = 0;
};

}  // namespace

std::vector<Token> Lexer::Tokenize(std::string_view sql) {
    return LexerState(sql).Run();
}

}  // namespace floe

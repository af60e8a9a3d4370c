#include "common/exception.h"
#include "common/json_text.h"
#include "format/file_sink.h"
#include "io/file_system.h"

namespace floe {

namespace {

class TextSink : public FileSink {
  public:
    TextSink(std::unique_ptr<WritableFile> out, bool json, std::vector<std::string> names,
             std::vector<LogicalType> types, TextSinkOptions options)
        : out_(std::move(out)),
          json_(json),
          names_(std::move(names)),
          types_(std::move(types)),
          options_(std::move(options)) {
        if (json_) {
            for (const auto& n : names_) keys_.push_back(JsonString(n) + ":");
        } else if (options_.header) {
            for (size_t c = 0; c < names_.size(); ++c) {
                if (c) buffer_ += options_.column_separator;
                AppendField(names_[c]);
            }
            buffer_ += options_.row_delimiter;
        }
    }

    void Append(const Chunk& chunk) override {
        for (size_t i = 0; i < chunk.live_rows(); ++i) {
            uint32_t row = chunk.LiveRow(i);
            if (json_) {
                buffer_ += '{';
                for (size_t c = 0; c < types_.size(); ++c) {
                    if (c) buffer_ += ',';
                    buffer_ += keys_[c];
                    AppendJsonValue(chunk.column(c), row);
                }
                buffer_ += '}';
                buffer_ += '\n';
            } else {
                for (size_t c = 0; c < types_.size(); ++c) {
                    if (c) buffer_ += options_.column_separator;
                    const Column& col = chunk.column(c);
                    if (col.IsNull(row)) {
                        buffer_ += "\\N";
                    } else {
                        AppendField(col.GetValue(row).ToString());
                    }
                }
                buffer_ += options_.row_delimiter;
            }
            if (buffer_.size() >= (1u << 20)) Flush();
        }
    }

    void Finish() override {
        Flush();
        out_->Close();
    }

    uint64_t bytes_written() const override { return out_->bytes_written() + buffer_.size(); }

  private:
    void AppendField(const std::string& text) {
        bool enclose = options_.enclose && (text.find(options_.column_separator) != std::string::npos ||
                                            text.find(options_.row_delimiter) != std::string::npos ||
                                            text.find(options_.enclose) != std::string::npos);
        if (!enclose) {
            buffer_ += text;
            return;
        }
        buffer_ += options_.enclose;
        for (char ch : text) {
            if (ch == options_.enclose) buffer_ += ch;  // doubled
            buffer_ += ch;
        }
        buffer_ += options_.enclose;
    }

    void AppendJsonValue(const Column& col, uint32_t row) {
        if (col.IsNull(row)) {
            buffer_ += "null";
            return;
        }
        const LogicalType& t = col.type();
        if (t.id == TypeId::JSON) {
            buffer_ += col.Strings()[row].view();
        } else if (t.id == TypeId::BOOLEAN) {
            buffer_ += col.Data<uint8_t>()[row] ? "true" : "false";
        } else if (t.IsNumeric()) {
            std::string text = col.GetValue(row).ToString();
            // inf and nan are not JSON numbers
            bool finite = text.find_first_not_of("-+.0123456789eE") == std::string::npos;
            buffer_ += finite ? text : JsonString(text);
        } else {
            buffer_ += JsonString(col.GetValue(row).ToString());
        }
    }

    void Flush() {
        out_->Append(buffer_);
        buffer_.clear();
    }

    std::unique_ptr<WritableFile> out_;
    bool json_;
    std::vector<std::string> names_;
    std::vector<LogicalType> types_;
    TextSinkOptions options_;
    std::vector<std::string> keys_;
    std::string buffer_;
};

}  // namespace

std::unique_ptr<FileSink> MakeTextSink(std::unique_ptr<WritableFile> out, bool json, std::vector<std::string> names,
                                       std::vector<LogicalType> types, TextSinkOptions options) {
    return std::make_unique<TextSink>(std::move(out), json, std::move(names), std::move(types), std::move(options));
}

}  // namespace floe

/* test_names.c — enum names and reverse look-ups, codec availability in this build. */
#include "test.h"

#include "common/common.h"

TEST(names_of_types_encodings_codecs)
{
    CHECK_EQ_STR(idbpq_type_name(IDBPQ_INT32), "INT32");
    CHECK_EQ_STR(idbpq_type_name(IDBPQ_FIXED_LEN_BYTE_ARRAY), "FIXED_LEN_BYTE_ARRAY");
    CHECK(idbpq_type_name((idbpq_type)8) == NULL);
    CHECK_EQ_STR(idbpq_encoding_name(IDBPQ_ENC_RLE_DICTIONARY), "RLE_DICTIONARY");
    CHECK_EQ_STR(idbpq_encoding_name(IDBPQ_ENC_BYTE_STREAM_SPLIT), "BYTE_STREAM_SPLIT");
    CHECK(idbpq_encoding_name((idbpq_encoding)1) == NULL);
    CHECK(idbpq_encoding_name((idbpq_encoding)10) == NULL);
    CHECK_EQ_STR(idbpq_codec_name(IDBPQ_CODEC_ZSTD), "ZSTD");
    CHECK_EQ_STR(idbpq_codec_name(IDBPQ_CODEC_LZ4_RAW), "LZ4_RAW");
    CHECK(idbpq_codec_name((idbpq_codec)8) == NULL);
    CHECK(idbpq_codec_name((idbpq_codec)-1) == NULL);
    CHECK_EQ_STR(idbpq_converted_type_name(IDBPQ_CT_TIMESTAMP_MICROS), "TIMESTAMP_MICROS");
    CHECK_EQ_STR(idbpq_converted_type_name(IDBPQ_CT_INTERVAL), "INTERVAL");
    CHECK_EQ_STR(idbpq_converted_type_name(IDBPQ_CT_UINT_8), "UINT_8");
    CHECK(idbpq_converted_type_name(22) == NULL);
}

TEST(names_reverse_lookups)
{
    CHECK_EQ_INT(idbpq_codec_from_name("zstd"), IDBPQ_CODEC_ZSTD);
    CHECK_EQ_INT(idbpq_codec_from_name("Snappy"), IDBPQ_CODEC_SNAPPY);
    CHECK_EQ_INT(idbpq_codec_from_name("none"), IDBPQ_CODEC_UNCOMPRESSED);
    CHECK_EQ_INT(idbpq_codec_from_name("UNCOMPRESSED"), IDBPQ_CODEC_UNCOMPRESSED);
    CHECK_EQ_INT(idbpq_codec_from_name("lz4_raw"), IDBPQ_CODEC_LZ4_RAW);
    CHECK_EQ_INT(idbpq_codec_from_name("LZ4RAW"), IDBPQ_CODEC_LZ4_RAW);
    CHECK_EQ_INT(idbpq_codec_from_name("lz4"), IDBPQ_CODEC_LZ4);
    CHECK_EQ_INT(idbpq_codec_from_name("gzip"), IDBPQ_CODEC_GZIP);
    CHECK_EQ_INT(idbpq_codec_from_name("brotli"), IDBPQ_CODEC_BROTLI);
    CHECK_EQ_INT(idbpq_codec_from_name("lzo"), IDBPQ_CODEC_LZO);
    CHECK_EQ_INT(idbpq_codec_from_name("zstdx"), -1);
    CHECK_EQ_INT(idbpq_codec_from_name(""), -1);
    CHECK_EQ_INT(idbpq_codec_from_name(NULL), -1);
    CHECK_EQ_INT(idbpq_encoding_from_name("delta_binary_packed"), IDBPQ_ENC_DELTA_BINARY_PACKED);
    CHECK_EQ_INT(idbpq_encoding_from_name("RLE_dictionary"), IDBPQ_ENC_RLE_DICTIONARY);
    CHECK_EQ_INT(idbpq_encoding_from_name("dict"), IDBPQ_ENC_RLE_DICTIONARY);
    CHECK_EQ_INT(idbpq_encoding_from_name("plain"), IDBPQ_ENC_PLAIN);
    CHECK_EQ_INT(idbpq_encoding_from_name("byte_stream_split"), IDBPQ_ENC_BYTE_STREAM_SPLIT);
    CHECK_EQ_INT(idbpq_encoding_from_name("rle"), IDBPQ_ENC_RLE);
    CHECK_EQ_INT(idbpq_encoding_from_name("group_var_int"), -1);
    /* every name maps back to its number */
    for (int c = 0; c <= 7; c++)
        CHECK_EQ_INT(idbpq_codec_from_name(idbpq_codec_name((idbpq_codec)c)), c);
    for (int e = 0; e <= 9; e++)
        if (idbpq_encoding_name((idbpq_encoding)e))
            CHECK_EQ_INT(idbpq_encoding_from_name(idbpq_encoding_name((idbpq_encoding)e)), e);
}

TEST(names_codec_availability)
{
    CHECK(idbpq_codec_can_read(IDBPQ_CODEC_UNCOMPRESSED));
    CHECK(idbpq_codec_can_write(IDBPQ_CODEC_UNCOMPRESSED));
    CHECK(!idbpq_codec_can_read(IDBPQ_CODEC_LZO));
    CHECK(!idbpq_codec_can_write(IDBPQ_CODEC_LZO));
    CHECK(!idbpq_codec_can_read((idbpq_codec)42));
#ifndef IDBPQ_NO_ZSTD
    CHECK(idbpq_codec_can_read(IDBPQ_CODEC_ZSTD) && idbpq_codec_can_write(IDBPQ_CODEC_ZSTD));
#endif
#ifndef IDBPQ_NO_SNAPPY
    CHECK(idbpq_codec_can_read(IDBPQ_CODEC_SNAPPY));
#endif
#ifndef IDBPQ_NO_LZ4
    CHECK(idbpq_codec_can_read(IDBPQ_CODEC_LZ4) && idbpq_codec_can_write(IDBPQ_CODEC_LZ4));
#endif
}

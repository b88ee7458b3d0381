#include "sim/card_face/sample_cards.hpp"

#include <array>
#include <string>

namespace kiosk::sim::card_face {

namespace {

using namespace std::chrono;

struct Name {
  const char* kanji;
  const char* kana;
  const char* romaji;
};

constexpr std::array<Name, 16> kFamily{{
    {"佐藤", "さとう", "SATO"},       {"鈴木", "すずき", "SUZUKI"},   {"高橋", "たかはし", "TAKAHASHI"},
    {"田中", "たなか", "TANAKA"},     {"伊藤", "いとう", "ITO"},      {"渡辺", "わたなべ", "WATANABE"},
    {"山本", "やまもと", "YAMAMOTO"}, {"中村", "なかむら", "NAKAMURA"}, {"小林", "こばやし", "KOBAYASHI"},
    {"加藤", "かとう", "KATO"},       {"吉田", "よしだ", "YOSHIDA"},  {"山田", "やまだ", "YAMADA"},
    {"佐々木", "ささき", "SASAKI"},   {"松本", "まつもと", "MATSUMOTO"}, {"井上", "いのうえ", "INOUE"},
    {"木村", "きむら", "KIMURA"},
}};

constexpr std::array<Name, 16> kGiven{{
    {"太郎", "たろう", "TARO"},     {"花子", "はなこ", "HANAKO"},   {"翔太", "しょうた", "SHOTA"},
    {"美咲", "みさき", "MISAKI"},   {"健一", "けんいち", "KENICHI"}, {"陽菜", "ひな", "HINA"},
    {"大輔", "だいすけ", "DAISUKE"}, {"由美子", "ゆみこ", "YUMIKO"}, {"蓮", "れん", "REN"},
    {"結衣", "ゆい", "YUI"},        {"誠", "まこと", "MAKOTO"},     {"恵子", "けいこ", "KEIKO"},
    {"浩二", "こうじ", "KOJI"},     {"さくら", "さくら", "SAKURA"}, {"隆", "たかし", "TAKASHI"},
    {"千尋", "ちひろ", "CHIHIRO"},
}};

constexpr std::array<const char*, 10> kPlaces{{
    "東京都千代田区霞が関", "大阪府大阪市北区梅田", "北海道札幌市中央区北一条西", "愛知県名古屋市中区栄",
    "福岡県福岡市博多区博多駅前", "神奈川県横浜市西区みなとみらい", "京都府京都市下京区烏丸通",
    "宮城県仙台市青葉区国分町", "広島県広島市中区基町", "沖縄県那覇市泉崎",
}};

constexpr std::array<const char*, 9> kKanjiNumbers{{"一", "二", "三", "四", "五", "六", "七", "八", "九"}};

year_month_day nth_birthday_after(year_month_day birth, year_month_day from, int n) {
  auto on = [&](year y) {
    const year_month_day d{y, birth.month(), birth.day()};
    return d.ok() ? d : year_month_day{sys_days{y / birth.month() / last} + days{1}};
  };
  year y = from.year();
  if (sys_days{on(y)} <= sys_days{from}) y += years{1};
  return on(y + years{n - 1});
}

year_month_day random_day(std::mt19937& rng, sys_days first, sys_days last) {
  std::uniform_int_distribution<long> d(0, (last - first).count());
  return year_month_day{first + days{d(rng)}};
}

}  // namespace

year_month_day card_expiry_for(year_month_day birth, year_month_day issued) {
  const int age = static_cast<int>(issued.year()) - static_cast<int>(birth.year()) -
                  (year_month_day{issued.year(), birth.month(), birth.day()} > issued ? 1 : 0);
  return nth_birthday_after(birth, issued, age < 18 ? 5 : 10);
}

PrintedFields random_card_fields(std::mt19937& rng, year_month_day today, hal::CardGeneration generation) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  PrintedFields f;
  f.generation = generation;
  const Name& family = kFamily[rng() % kFamily.size()];
  const Name& given = kGiven[rng() % kGiven.size()];
  f.name = std::string(family.kanji) + "\u3000" + given.kanji;
  if (generation == hal::CardGeneration::Next) {
    f.name_kana = std::string(family.kana) + "\u3000" + given.kana;
    f.name_romaji = std::string(family.romaji) + " " + given.romaji;
  }
  std::string address = kPlaces[rng() % kPlaces.size()];
  address += kKanjiNumbers[rng() % 5];
  address += "丁目" + std::to_string(1 + rng() % 30) + "番" + std::to_string(1 + rng() % 20) + "号";
  f.address_lines.push_back(address);
  if (u(rng) < 0.3) f.address_lines.push_back("グランドハイツ" + std::to_string(101 + rng() % 900) + "号室");

  const sys_days now{today};
  const double pick = u(rng);
  year_month_day birth;
  if (pick < 0.15) {  // the days around era changes, and 元年 births
    const year_month_day edges[] = {
        {year{1926}, month{12}, day{25}}, {year{1927}, month{3}, day{3}},  {year{1989}, month{1}, day{7}},
        {year{1989}, month{1}, day{8}},   {year{1989}, month{12}, day{31}}, {year{2019}, month{4}, day{30}},
        {year{2019}, month{5}, day{1}},   {year{2019}, month{11}, day{23}}, {year{1988}, month{2}, day{29}},
    };
    birth = edges[rng() % std::size(edges)];
  } else if (pick < 0.22) {  // very old holders (大正)
    birth = random_day(rng, sys_days{year{1920} / 1 / 1}, sys_days{year{1926} / 12 / 24});
  } else {
    birth = random_day(rng, sys_days{year{1930} / 1 / 1}, now - days{365});
  }
  f.birth_date = birth;
  f.sex = u(rng) < 0.5 ? '1' : '2';
  // Issued at or after birth, at most 9 years ago (and from 2016 on), still valid today.
  const sys_days earliest = std::max({sys_days{birth}, now - days{9 * 365}, sys_days{year{2016} / 1 / 1}});
  year_month_day issued = random_day(rng, earliest, now);
  year_month_day expiry = card_expiry_for(birth, issued);
  for (int i = 0; i < 20 && sys_days{expiry} < now; ++i) {
    issued = random_day(rng, std::max(earliest, now - days{4 * 365}), now);
    expiry = card_expiry_for(birth, issued);
  }
  f.card_expiry = expiry;
  for (int i = 0; i < 4; ++i) f.security_code.push_back(static_cast<char>('0' + rng() % 10));
  return f;
}

}  // namespace kiosk::sim::card_face

// Patient-visible messages of the reception. Each has a numbered code shown on screen and in
// the journal, and a next step (the text "<key>.next"). A code can have several texts when the
// next step depends on what the patient can still do (K120 after the last face attempt says
// "use the PIN", on a PIN-less card "try the face again"): one enum value and key per text. 001, 002 and 006 are the codes readers already use
// (docs/reception-rules.md §3); the kiosk's own codes carry a K so they cannot be taken for
// the readers' codes that are not documented (003-005, 007+).
#pragma once

namespace kiosk::core::reception {

enum class Message {
  None,
  Unreadable,               // 【001】 place the card again; if it repeats, ask the reception
  NotMyNumberCard,          // 【002】
  CertificateRejected,      // 【006】 expired beyond the grace period, or revoked
  CertificateUntrusted,     // 【K101】 the certificate does not chain to the JPKI CA
  CertificateExpiringSoon,  // 【K102】 notice: renew within 3 months
  CertificateInGrace,       // 【K103】 notice: expired, usable for 3 months, renew now
  PinWrong,                 // 【K110】 n tries left
  PinLastTry,               // 【K111】 one try left: a wrong PIN locks the card
  PinLocked,                // 【K112】 reset the PIN at the municipal office
  PinNotSet,                // 【K113】 face-only card: face or staff check
  FaceNotMatched,           // 【K120】 the face did not match: PIN offered
  FaceUnavailable,          // 【K121】 camera problem: PIN offered
  FaceNotPossible,          // 【K122】 no card photo (smartphone): PIN
  VisualCheckDeclined,      // 【K130】 staff did not confirm
  ServiceUnavailable,       // 【K140】 show the card with 資格情報のお知らせ at the counter
  ServiceRefused,           // 【K141】 the service's message, shown as it is
  RegistrationOffered,      // 【K142】 not registered for insurance use: register now?
  RegistrationDeclined,     // 【K143】 without registration: the counter
  TimedOut,                 // 【K150】 no answer in time: start again
  CardRemovedEarly,         // 【K151】 the card was taken away: start again
  NoAuthenticationLeft,     // 【K152】 no method left: the counter
  // ---- variants of the codes above, whose next step depends on what is left to the patient
  // (same code, own text), and the codes of the 資格確認書 path and of reader failures ----
  PinWrongLastTry,          // 【K111】 the PIN just typed was wrong, and one try is left
  FaceNotMatchedUsePin,     // 【K120】 no face attempt left: the PIN
  FaceNotMatchedRetry,      // 【K120】 a PIN-less card: the face again (or the staff check)
  FaceNotMatchedUseStaff,   // 【K120】 only the staff check is left
  FaceUnavailableUseStaff,  // 【K121】 camera problem on a PIN-less card: the staff check
  FaceNotPossibleUseStaff,  // 【K122】 card photo unusable on a PIN-less card: the staff check
  ReaderFailed,             // 【K160】 the reader or the card service failed mid-session: card + お知らせ at the counter
  ServiceUnavailableNumbers,  // 【K140】 the service cannot be reached on the 資格確認書 path: the 資格確認書 at the counter
  NumbersInvalid,           // 【K170】 an entry of the 資格確認書 form is not right (Screen::entry_problem says which)
  OldHealthInsuranceCard,   // 【K171】 the old 健康保険証 is not usable since 2025-12-02
  EligibilityCertificateRefused,  // 【K172】 the service refused the 資格確認書 (e.g. past its validity)
  CheckInCancelled,         // 【K153】 the patient cancelled: the check-in is not finished, the counter
  // ---- issue 17 item 6: variants that say what happened AND the one step that is really left ----
  FaceNotMatchedNoneLeft,   // 【K120】 the face did not match and this card has no other method left: the counter
  FaceUnavailableNoneLeft,  // 【K121】 the camera failed and this card has no other method left: the counter
  FaceNotPossibleNoneLeft,  // 【K122】 the card photo cannot be used and no other method is left: the counter
  PinLockedNoneLeft,        // 【K112】 the PIN is locked and no other method is offered here: the counter
  FaceNotPossibleSmartphone,  // 【K122】 a smartphone has no card photo: why only the PIN is offered
  PinNotSetUseFace,         // 【K113】 a PIN-less card while the staff check is off: face recognition only
  CheckInCancelledNumbers,  // 【K153】 cancelled on the 資格確認書 path: no card to take, the document at the counter
  // ---- the document reader on the 資格確認書 form (issue 16 item 8) ----
  DocumentReadCheck,        // 【K173】 the form holds what was read from the document: check, correct, send
  DocumentUnreadable,       // 【K174】 the document could not be read: type the numbers (or the counter)
};

struct MessageInfo {
  const char* code;  // "001", "K110"
  const char* key;   // resource key of the text ("card.unreadable")
};

constexpr MessageInfo info(Message m) {
  switch (m) {
    case Message::None: return {"", ""};
    case Message::Unreadable: return {"001", "card.unreadable"};
    case Message::NotMyNumberCard: return {"002", "card.not_my_number_card"};
    case Message::CertificateRejected: return {"006", "card.certificate_rejected"};
    case Message::CertificateUntrusted: return {"K101", "card.certificate_untrusted"};
    case Message::CertificateExpiringSoon: return {"K102", "card.certificate_expiring_soon"};
    case Message::CertificateInGrace: return {"K103", "card.certificate_in_grace"};
    case Message::PinWrong: return {"K110", "pin.wrong"};
    case Message::PinLastTry: return {"K111", "pin.last_try"};
    case Message::PinLocked: return {"K112", "pin.locked"};
    case Message::PinNotSet: return {"K113", "pin.not_set"};
    case Message::FaceNotMatched: return {"K120", "face.not_matched"};
    case Message::FaceUnavailable: return {"K121", "face.unavailable"};
    case Message::FaceNotPossible: return {"K122", "face.not_possible"};
    case Message::VisualCheckDeclined: return {"K130", "visual.declined"};
    case Message::ServiceUnavailable: return {"K140", "service.unavailable"};
    case Message::ServiceRefused: return {"K141", "service.refused"};
    case Message::RegistrationOffered: return {"K142", "registration.offered"};
    case Message::RegistrationDeclined: return {"K143", "registration.declined"};
    case Message::TimedOut: return {"K150", "session.timed_out"};
    case Message::CardRemovedEarly: return {"K151", "session.card_removed"};
    case Message::NoAuthenticationLeft: return {"K152", "auth.none_left"};
    case Message::PinWrongLastTry: return {"K111", "pin.wrong_last_try"};
    case Message::FaceNotMatchedUsePin: return {"K120", "face.not_matched_use_pin"};
    case Message::FaceNotMatchedRetry: return {"K120", "face.not_matched_retry"};
    case Message::FaceNotMatchedUseStaff: return {"K120", "face.not_matched_use_staff"};
    case Message::FaceUnavailableUseStaff: return {"K121", "face.unavailable_use_staff"};
    case Message::FaceNotPossibleUseStaff: return {"K122", "face.not_possible_use_staff"};
    case Message::ReaderFailed: return {"K160", "reader.failed"};
    case Message::ServiceUnavailableNumbers: return {"K140", "service.unavailable_numbers"};
    case Message::NumbersInvalid: return {"K170", "numbers.invalid"};
    case Message::OldHealthInsuranceCard: return {"K171", "numbers.old_card"};
    case Message::EligibilityCertificateRefused: return {"K172", "numbers.refused"};
    case Message::CheckInCancelled: return {"K153", "session.cancelled"};
    case Message::FaceNotMatchedNoneLeft: return {"K120", "face.not_matched_none_left"};
    case Message::FaceUnavailableNoneLeft: return {"K121", "face.unavailable_none_left"};
    case Message::FaceNotPossibleNoneLeft: return {"K122", "face.not_possible_none_left"};
    case Message::PinLockedNoneLeft: return {"K112", "pin.locked_none_left"};
    case Message::FaceNotPossibleSmartphone: return {"K122", "face.not_possible_smartphone"};
    case Message::PinNotSetUseFace: return {"K113", "pin.not_set_use_face"};
    case Message::CheckInCancelledNumbers: return {"K153", "session.cancelled_numbers"};
    case Message::DocumentReadCheck: return {"K173", "numbers.document_read"};
    case Message::DocumentUnreadable: return {"K174", "numbers.document_unreadable"};
  }
  return {"", ""};
}

}  // namespace kiosk::core::reception

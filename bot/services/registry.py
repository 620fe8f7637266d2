"""Every use case of the bot in one object, built once in ``MarginaliaBot.__init__`` and
shared by the cogs (a cog takes the services it calls; it never builds one)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.engine import Database
from bot.domain.clock import Clock
from bot.services.books import BookService, CatalogueLike
from bot.services.challenges import ChallengeService
from bot.services.clubs import ClubService, MemberDirectory
from bot.services.digest import DigestService
from bot.services.exports import ExportService
from bot.services.follows import FollowService
from bot.services.goals import GoalService
from bot.services.guard import GuardService
from bot.services.imports import ImportService
from bot.services.meetings import MeetingService
from bot.services.members import MemberService
from bot.services.nominations import NominationService
from bot.services.nudges import NudgeService
from bot.services.privacy import PrivacyService
from bot.services.questions import QuestionService
from bot.services.quotes import QuoteService
from bot.services.ratings import RatingService
from bot.services.reading import ReadingService
from bot.services.review_drafts import ReviewDraftService
from bot.services.reviews import ReviewService
from bot.services.rooms import RoomService
from bot.services.settings import SettingsService
from bot.services.shelves import ShelfService
from bot.services.stats import StatsService
from bot.services.votes import VoteService

__all__ = ["Services"]


@dataclass(frozen=True, slots=True)
class Services:
    books: BookService
    challenges: ChallengeService
    clubs: ClubService
    nominations: NominationService
    meetings: MeetingService
    nudges: NudgeService
    digest: DigestService
    exports: ExportService
    follows: FollowService
    goals: GoalService
    guard: GuardService
    imports: ImportService
    members: MemberService
    privacy: PrivacyService
    questions: QuestionService
    quotes: QuoteService
    ratings: RatingService
    reading: ReadingService
    review_drafts: ReviewDraftService
    reviews: ReviewService
    rooms: RoomService
    settings: SettingsService
    shelves: ShelfService
    stats: StatsService
    votes: VoteService

    @classmethod
    def build(
        cls,
        database: Database,
        clock: Clock,
        catalogue: CatalogueLike,
        members: MemberDirectory,
    ) -> Services:
        """The services over one database, clock and catalogue; ``members`` names members."""
        reading = ReadingService(database, clock)
        clubs = ClubService(database, clock, members)
        return cls(
            books=BookService(database, catalogue, clock),
            challenges=ChallengeService(database, clock, members),
            clubs=clubs,
            nudges=NudgeService(database, clock, clubs),
            nominations=NominationService(database, clock, members),
            meetings=MeetingService(database, clock),
            digest=DigestService(database, clock, members),
            exports=ExportService(database, clock),
            follows=FollowService(database, clock, members),
            goals=GoalService(database, clock),
            guard=GuardService(database, clock),
            imports=ImportService(database, catalogue, clock),
            members=MemberService(database, clock),
            privacy=PrivacyService(database, clock),
            questions=QuestionService(database, clock),
            quotes=QuoteService(database, clock),
            ratings=RatingService(database, clock),
            reading=reading,
            review_drafts=ReviewDraftService(database, clock),
            reviews=ReviewService(database, clock),
            rooms=RoomService(database, clock),
            settings=SettingsService(database, clock),
            shelves=ShelfService(database, clock, reading),
            stats=StatsService(database, clock),
            votes=VoteService(database, clock),
        )

/**
 * English given-name equivalence groups: the formal name first, then the short forms, diminutives and
 * common spelling variants used for the same person. Written for carecoord from general knowledge
 * (not copied from a published list). One group per line; a name may appear in several groups
 * (chris is Christopher, Christine or Christina; pat is Patrick or Patricia). Lower case a-z only,
 * as produced by normalizePerson.
 */
export const NICKNAME_GROUPS = `
abigail abby abbie abbey gail
abraham abe abram
adam ade
adelaide addie addy adela della
adrian adrien
agnes aggie nessa
albert al bert bertie albie
alexander alex alec alexis sandy xander lex alasdair alistair
alexandra alex alexa lexi lexie sandra sandy alix
alfred alf alfie fred freddie
alice allie ally alicia alyce
allison alison ally allie
amanda mandy manda
amelia amy millie emilia
andrew andy drew andie
angela angie angelina
anne ann annie anna nan nancy
anthony tony antony anton
antoinette toni netta
archibald archie baldie
arnold arnie
arthur art artie
augustine gus augie austin
augustus gus augie
barbara barb barbie babs bobbie
bartholomew bart barty
beatrice bea betty trixie
benedict ben benny
benjamin ben benny benji bennie
bernard bernie barney
bertha bertie
beverly bev
bradley brad
brenda bren
bridget biddy bridie brigid birdie
caleb cal
calvin cal
cameron cam
campbell cam
candace candy
caroline carrie carol carolyn lina callie
carolyn carrie carol
catherine cathy cath cate kate katie kathy kay kitty kit cassie katherine kathryn katharine
cecilia cece celia cissy sissy
charles charlie chuck chas chaz chip
charlotte charlie lottie lotte char
christian chris kit
christina chris chrissy tina christy kristina
christine chris chrissy tina christy kristine
christopher chris kit topher christy kristopher
clara clare claire
clarence clare
claudia claudie
clifford cliff
clinton clint
constance connie
cornelius neil corky
cynthia cindy cyndi
daniel dan danny dannie
danielle dani elle
david dave davey davie
deborah deb debbie debby debra
delores dee lola lolly dolores
dennis denny
derek derrick
diana di diane dianne
dominic dom nick
donald don donnie
dorothy dot dottie dolly dora
douglas doug
earnest ernie ernest
edgar ed eddie ned
edith edie
edmund ed eddie ned ted
edward ed eddie ned ted teddy ward
edwin ed eddie ned
eleanor ellie nell nora elle elenore leonora
elizabeth liz lizzie lizzy beth betty bette bess bessie eliza elsie elisa lisa libby elise betsy liza lilibet
ellen ellie nell
emily em emmy millie emilie
emma em emmy
eric rick ricky
ernest ernie earnest
esther essie hester
eugene gene
eugenia gene genie
evangeline eva vangie
evelyn eve evie
ezekiel zeke
florence flo flossie florrie
frances fran fanny frankie francie
francis frank frankie fran
franklin frank frankie
frederick fred freddie freddy fritz rick
gabriel gabe
gabrielle gabby gabi ellie
geoffrey geoff jeff jeffrey
george georgie
georgina georgie gina
gerald gerry jerry
geraldine gerry geri dina
gertrude gertie trudy
gilbert gil bert
gordon gordie
gregory greg
gwendolyn gwen wendy
harold harry hal
harriet hattie harry
harrison harry
helen nell nellie ellen lena
henrietta etta hettie hetty
henry harry hank hal
herbert herb bert
howard howie
hubert hugh bert
hugh hughie
ignatius iggy
isaac ike zack
isabel izzy bella isabella isobel belle ibby isabelle
isadore izzy
jacob jake jack jay cob
jacqueline jackie jacquie
james jim jimmy jimmie jamie jem
jane janie jenny jan
janet jan jenny netty
jean jeanie jeannie jeanne
jeffrey jeff geoff geoffrey
jennifer jen jenny jenn jennie
jeremiah jerry jem
jeremy jerry jem
jerome jerry
jessica jess jessie
joanna jo joanie joan joanne
johanna jo hanna hannah
john jack johnny jon jonny jock hank
jonathan jon jonny nathan jonty
joseph joe joey jo jos
josephine jo josie joey fina
joshua josh
judith judy jude
julia julie jules
julian jules
juliana julie jules
katherine kate katie kathy cathy kat kay kit kitty kathryn catherine
kathleen kathy kate katie kath
kenneth ken kenny
kimberly kim kimmy
lawrence larry laurie lawrie laurence
leonard len lenny leo
leonardo leo
leslie les
lillian lily lil lilly
lincoln linc
linda lindy lin
lorraine lori laurie
louis lou louie lewis
louisa lou lulu louise
louise lou lulu
lucas luke
lucinda lucy cindy
lucy lucie
luke lucas
mabel mabs
madeline maddie maddy madelyn madeleine lena
margaret maggie meg peggy peg marge margie madge greta daisy molly rita margo gretchen maisie
marjorie marge margie
martha marty mattie patty
martin marty
mary molly polly mamie mae maria mimi marie
matilda tilly tillie mattie maud
matthew matt matty
maureen mo
maximilian max
maxwell max
melanie mel
melissa mel missy lissa
michael mike mikey mick mickey mitch
michelle shelly michele
mildred millie
miriam mimi
mitchell mitch
montgomery monty
nancy nan
natalie nat talia
nathan nat nate
nathaniel nat nate nathan
nicholas nick nicky nico nicolas klaus
nicole nikki nicky
norman norm
oliver ollie
olivia liv livvy ollie
oswald ozzie oz
pamela pam
patricia pat patty trish tricia patsy trisha
patrick pat paddy patsy
paul paulie
pauline paula polly
penelope penny
peter pete
philip phil pip phillip
phillip phil pip philip
priscilla cilla prissy
prudence prue prudy
rachel rach shelly
randolph randy dolph
raymond ray
rebecca becky becca reba
reginald reg reggie
richard rick ricky rich richie dick dicky
robert bob bobby rob robbie bert bobbie robin
roberta bobbie robbie bertie
rodney rod
roger rog
ronald ron ronnie
rosalind roz rosie
rose rosie rosa
rosemary rosie rose
russell russ rusty
samantha sam sammy
samuel sam sammy
sarah sara sally sadie sal
sebastian seb bastian
sharon shari
sheila sheela
sidney sid
solomon sol
sophia sophie
stanley stan
stephanie steph stevie fanny
stephen steve stevie steven
steven steve stevie stephen
stuart stu stewart
susan sue susie suzy suzanne
suzanne sue susie suzy susan
sylvester sly syl
sylvia syl
terence terry
teresa terry tess tessa tracy theresa
theodore ted teddy theo
theresa terry tess tessa tracy teresa
thomas tom tommy thom
timothy tim timmy
tobias toby
valentine val
valerie val
vanessa nessa
veronica ronnie roni vera
victor vic
victoria vicky vickie tori vic
vincent vince vinny
virginia ginny ginger
walter walt wally
wilfred wilf fred
wilhelmina mina willa minnie
william bill billy will willy willie liam wil
winifred winnie freda
yvonne vonnie
zachary zach zack zak
zachariah zach zack zeke
`;

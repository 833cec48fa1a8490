package main

import "strings"

// community is a community of practice: its display name (identifier) and
// the slug its records live under (communities/{slug}/curated-content/).
type community struct {
	name string
	slug string
}

// communityNames are the 40 communities. The slug is the name without its
// parenthesised abbreviation.
var communityNames = [...]string{
	"Chronic Care Management (CCM)",
	"Remote Patient Monitoring (RPM)",
	"Telemedicine and Virtual Visits",
	"Pandemic Response",
	"Security, Risk and Compliance",
	"FemTech",
	"Health Information Exchange (HIE)",
	"Electronic Medical Records (EMR)",
	"Population Health",
	"Revenue Cycle Management (RCM)",
	"Value-Based Payments",
	"Behavioral and Mental Health",
	"Clinical Decision Support (CDS)",
	"Artificial Intelligence and Machine Learning",
	"Patient Experience",
	"FHIR and Interoperability",
	"Digital Therapeutics (DTx)",
	"Social Determinants of Health (SDOH)",
	"Precision Medicine and Genomics",
	"Acute Care at Home",
	"Care Transitions",
	"Connected Medical Devices (IoMT)",
	"Medication Management",
	"Decentralized Clinical Trials (DCT)",
	"Healthcare Data Analytics",
	"Health Equity and Access",
	"Nursing Informatics",
	"Imaging and Radiology",
	"Cancer Care",
	"Diabetes and Metabolic Health",
	"Cardiovascular Care",
	"Pediatrics",
	"Aging in Place",
	"Employer Health Benefits",
	"Payer Technology",
	"Healthcare Pricing",
	"Clinician Wellbeing",
	"Patient Safety",
	"Rural and Community Health",
	"Cloud and Infrastructure",
}

func newCommunities() []community {
	out := make([]community, len(communityNames))
	for i, name := range communityNames {
		base := name
		if k := strings.Index(name, " ("); k > 0 {
			base = name[:k]
		}
		out[i] = community{name: name, slug: slugify(base)}
	}
	return out
}

// vocabulary is one topic scheme of the exports and the subjects it names.
// A topic is "{vocabulary}: {subject}".
type vocabulary struct {
	name     string
	subjects []string
}

// vocabularies hold exactly numTopics topics in all (checked by the tests).
// Symplur subjects starting with "#" are hashtags: the exports spell them
// "-hash-" in communityTopics and "#" in medigyTopics.
var vocabularies = []vocabulary{
	{"Medigy", []string{
		"Barriers & Guidelines", "Innovation Adoption", "Patient Journey", "Digital Front Door",
		"Reimbursement Models", "Regulatory Compliance", "Market Intelligence", "Mergers & Acquisitions",
		"Case Study", "Best Practice", "Executive Leadership", "Startup Spotlight", "Vendor Announcements",
		"Product Launch", "Peer-Reviewed Research", "Clinical Workflow", "Technology Adoption",
		"Return on Investment", "Strategic Partnerships", "Public Health Emergency", "Health Policy",
		"Burnout & Resilience", "Home-Based Care", "Healthcare Consumerism", "Privacy & Consent",
		"Wearable Sensors", "Outcomes Measurement", "Cost Containment", "Events & Webinars", "Podcasts",
		"Opinion & Commentary", "Interviews", "Standards Development", "Systems Integration",
		"Quality Reporting", "Care Delivery Models", "Alternative Payment Models", "Access to Care",
		"Editor's Picks", "What's Trending", "Federal Programs", "Employer Health", "Pharma & Biotech",
		"Health Systems", "Independent Practices", "Health Plans", "Caregivers", "Venture Funding",
		"Evidence Generation", "Implementation Science", "Procurement", "Workforce Training",
		"Mobile Health Apps", "Patient-Generated Data", "Women's Health",
	}},
	{"Symplur", []string{
		"COVID-19", "Revenue Cycle Management", "Virtual Care", "EHR (Electronic Health Record)",
		"Artificial Intelligence", "Value Based Healthcare", "Patient Engagement", "Patient Experience",
		"Payment Reform", "Telemedicine", "Digital Technology", "Health IT", "Health Data",
		"Social Determinants of Health", "Physicians", "Healthcare Marketing", "Chronic Care Management",
		"Medical Coding", "Population Health", "Health Equity", "Nursing", "Mental Health",
		"Patient Safety", "Clinical Trials", "Precision Medicine", "Diabetes", "Cancer", "Heart Disease",
		"Public Health", "Healthcare Leadership", "Health Policy", "Medical Devices", "Wearables",
		"Cybersecurity", "Interoperability", "Genomics", "Pediatrics", "Aging", "Caregiving",
		"Hospital Medicine", "Primary Care", "Pharmacy", "Health Insurance", "Medicare", "Medicaid",
		"Opioids", "Vaccines", "Rare Diseases", "Patient Advocacy", "Health Literacy",
		"#COVID19", "#telehealth", "#telemedicine", "#digitalhealth", "#HealthIT", "#AI", "#RPM",
		"#hcldr", "#PatientsIncluded", "#FHIR",
	}},
	{"KLAS", []string{
		"Telehealth", "Patient Engagement", "Remote Patient Monitoring", "Patient Portals",
		"Patient Experience", "Patient Outreach", "Patient Intake", "Patient Access", "Care Management",
		"Population Health", "Revenue Cycle", "Claims Management", "Coding & CDI", "Acute Care EMR",
		"Ambulatory EMR", "Interoperability", "Health Information Exchange", "Clinical Communication",
		"Nurse Call", "Imaging", "Enterprise Imaging", "PACS", "Lab Information Systems", "Pharmacy",
		"Cybersecurity Services", "Identity Management", "ERP", "Workforce Management", "Analytics",
		"Decision Support", "Consulting", "Outsourcing", "Virtual Care Platforms", "Home Health EMR",
		"Behavioral Health EMR", "Price Transparency", "Value-Based Care Managed Services",
		"Speech Recognition", "Clinical Documentation", "Supply Chain",
	}},
	{"Gartner", []string{
		"Cybersecurity", "Cloud Computing", "Artificial Intelligence", "Machine Learning",
		"Robotic Process Automation", "Internet of Things", "Blockchain", "Digital Twin",
		"Data & Analytics", "Edge Computing", "Natural Language Processing", "Conversational AI",
		"Virtual Care", "Consumer Engagement", "Identity & Access Management", "API Management",
		"Low-Code Development", "Data Governance", "Master Data Management", "CRM",
		"Enterprise Architecture", "Computer Vision", "Augmented Reality", "Extended Reality", "5G",
		"Zero Trust", "Ransomware", "Privacy", "Digital Workplace", "Hyperautomation",
		"Predictive Analytics", "Real-Time Health System", "Composable Business", "Data Fabric",
		"Total Experience", "Clinical Communication & Collaboration", "Supply Chain Planning",
		"Speech Analytics", "Chatbots", "Quantum Computing", "Hybrid Cloud", "Data Lakes",
		"Explainable AI", "Digital Ethics", "Generative AI",
	}},
	{"Frost & Sullivan", []string{
		"TeleHealth", "Cybersecurity", "IoT", "Digital Health", "Medical Imaging", "Connected Health",
		"AI in Healthcare", "Precision Health", "Home Healthcare", "Population Health Management",
		"Clinical Decision Support", "Healthcare IT", "Wearables", "mHealth", "Value-Based Care",
		"Pharma 4.0", "Virtual Clinical Trials", "Health Cloud", "Patient Engagement Solutions",
		"Remote Monitoring", "Data Interoperability", "Smart Hospitals", "Robotics", "Digital Therapeutics",
		"Genomics", "Point-of-Care Diagnostics", "Healthcare Consumerism", "Blockchain",
		"Health Insurance IT", "Transformational Health",
	}},
	{"Medical Subject Headings (MeSH)", []string{
		"Telemedicine", "Electronic Health Records", "Diabetes Mellitus, Type 2", "Hypertension",
		"Heart Failure", "Alzheimer Disease", "Depression", "Anxiety Disorders", "Neoplasms",
		"Breast Neoplasms", "COVID-19", "Obesity", "Pulmonary Disease, Chronic Obstructive", "Asthma",
		"Stroke", "Renal Insufficiency, Chronic", "Opioid-Related Disorders", "Patient Readmission",
		"Medication Adherence", "Health Care Costs", "Quality of Health Care", "Patient Satisfaction",
		"Computer Security", "Confidentiality", "Genomics", "Wearable Electronic Devices",
		"Mobile Applications", "Home Care Services", "Primary Health Care", "Intensive Care Units",
		"Medicare", "Medicaid", "Health Policy", "Health Equity", "Rural Health Services",
		"Mental Health", "Pregnancy", "Aged", "Burnout, Professional", "Caregivers",
	}},
	{"HIMSS", []string{
		"Interoperability", "Digital Health", "Analytics", "Workforce Development",
		"Cybersecurity and Privacy", "Public Policy", "Nursing Informatics", "Health Equity",
		"Patient Engagement", "Clinical Informatics", "Emerging Technology", "Davies Award",
		"EMRAM", "Global Health", "Leadership",
	}},
	{"Healthcare IT News", []string{
		"Health Insurance Portability and Accountability Act (HIPAA)", "Telehealth", "Machine Learning",
		"Electronic Medical Records (EMR)", "Blockchain", "Ransomware", "Population Health",
		"Patient Engagement", "Interoperability", "Cloud", "Mobile Health", "Precision Medicine",
		"Analytics", "Privacy", "Voice Technology",
	}},
}

var curators = []string{
	"Vinit @maxinovip.com", "Shahid N. Shah", "Ratan @netspective.com", "Geetha @maxinovip.com",
	"Anju @citrusinformatics.com", "Arun @maxinovip.com", "Meera @netspective.com", "Dana Whitfield",
	"Ravi @citrusinformatics.com", "Gloria Okafor", "Hari @maxinovip.com", "Lekha @netspective.com",
	"Jomon @citrusinformatics.com", "Priscilla Tan", "Suja @maxinovip.com", "Marcus Feld",
	"Reshma @citrusinformatics.com", "Nitin @netspective.com", "Yusuf Adeyemi", "Claire O'Donnell",
	"Asha @maxinovip.com", "Binu @citrusinformatics.com", "José Ramírez", "Zoë Lindqvist",
}

// publishers are the sites curated articles come from (link.brand).
var publishers = []string{
	"tbtech.co", "healthitanalytics.com", "fiercehealthcare.com", "beckershospitalreview.com",
	"mobihealthnews.com", "healthcareitnews.com", "statnews.com", "modernhealthcare.com",
	"hitconsultant.net", "medcitynews.com", "himss.org", "healthaffairs.org", "nejm.org",
	"jamanetwork.com", "forbes.com", "techcrunch.com", "healthleadersmedia.com", "ehrintelligence.com",
	"hcinnovationgroup.com", "healthcaredive.com", "fiercebiotech.com", "kff.org", "cms.gov",
	"hhs.gov", "cdc.gov", "nih.gov", "mckinsey.com", "deloitte.com", "hbr.org", "wired.com",
	"healthpayerintelligence.com", "mhealthintelligence.com", "revcycleintelligence.com",
	"patientengagementhit.com", "healthdatamanagement.com", "physicianspractice.com",
	"medpagetoday.com", "healio.com", "ama-assn.org", "aha.org", "ahrq.gov", "healthit.gov",
	"healthcarefinancenews.com", "digitalhealth.net", "medicaleconomics.com", "histalk2.com",
	"rockhealth.com", "kevinmd.com", "chilmarkresearch.com", "klasresearch.com",
}

// Words that fill the slots of titles and sentences ({tech}, {field}, ...).
var (
	techWords = []string{
		"Artificial Intelligence", "Remote Patient Monitoring", "Telehealth", "Machine Learning",
		"Blockchain", "Cloud Computing", "Predictive Analytics", "FHIR APIs", "Wearables",
		"Digital Therapeutics", "Voice Assistants", "Chatbots", "Robotic Process Automation",
		"Natural Language Processing", "Computer Vision", "Virtual Reality", "5G", "Ambient Listening",
		"Patient Portals", "Care Management Platforms", "Generative AI", "Smart Inhalers",
	}
	fieldWords = []string{
		"Chronic Care", "Cybersecurity", "the Medical Industry", "Behavioral Health", "Primary Care",
		"Care Coordination", "Medication Adherence", "Revenue Cycle Management", "Clinical Trials",
		"Patient Engagement", "Hospital Operations", "Home Health", "Diabetes Care", "Cardiology",
		"Oncology", "Senior Care", "Rural Healthcare", "Emergency Medicine", "Nursing",
		"Value-Based Care", "Population Health", "Price Transparency", "Maternal Health", "Pediatrics",
	}
	actorWords = []string{
		"Health Systems", "Payers", "Hospitals", "Startups", "Providers", "Pharma Companies",
		"Employers", "Academic Medical Centers", "Community Clinics", "ACOs", "Rural Hospitals",
		"Retail Clinics", "Medical Groups", "Nurses", "Patients",
	}
	resultWords = []string{
		"Patient Outcomes", "Readmission Rates", "Clinician Burnout", "Care Quality", "Costs",
		"Access to Care", "Patient Satisfaction", "Health Equity", "Medication Safety", "Wait Times",
		"No-Show Rates", "Length of Stay",
	}
	issueWords = []string{
		"Physician Burnout", "Rising Costs", "Care Gaps", "Ransomware Attacks", "Staffing Shortages",
		"Data Silos", "Medication Errors", "Hospital Readmissions", "Health Disparities",
		"Claim Denials", "Social Isolation", "Opioid Misuse", "Alert Fatigue", "Prior Authorization",
	}
	personWords = []string{
		"Dr. Maya Ellison", "Raj Patel", "Dr. Helen Cho", "Tom Brennan", "Dr. Amara Nwosu",
		"Lisa Moretti", "Dr. Paul Jensen", "Karen Liu", "Dr. Sam Okoro", "Nina Valdés",
	}
	productWords = []string{
		"CareBridge", "VitalLoop", "MedSignal", "PulseBoard", "HealthRelay", "CareCompass",
		"ClinSense", "TeleCare One", "RPM Link", "PathWise", "NurseFlow", "RxSentinel",
	}
	phraseWords = []string{
		"What Comes Next", "Lessons Learned", "A Roadmap for Leaders", "Myths and Facts",
		"Beyond the Hype", "The Road Ahead", "Predictions for the Year", "A Practical Guide",
		"Five Questions to Ask", "Where the Money Goes",
	}
	headingWords = []string{
		"Why it matters", "Key takeaways", "The bottom line", "What the data shows",
		"Challenges ahead", "Getting started", "Background", "Looking forward", "Recommendations",
		"How it works", "By the numbers",
	}
	anchorWords = []string{
		"according to the report", "a recent study", "this article", "the full announcement",
		"CMS guidance", "read more", "the survey results", "according to Becker’s Hospital Review",
		"a new analysis", "the white paper", "the press release", "this webinar", "the agency said",
	}
	imageFiles = []string{
		"Curated_Featured_Image.jpg", "featured.jpg", "image001.jpg", "stock-photo-1182.jpg",
		"hero.png", "screenshot.png", "banner.webp",
	}
)

var titleTemplates = []string{
	"How {tech} Is Transforming {field}",
	"{n} Ways {tech} Can Improve {result}",
	"Improving Cybersecurity in the Medical Industry",
	"Why {actor} Are Betting on {tech}",
	"{product} Launches to Tackle {issue}",
	"The Future of {field}: {phrase}",
	"{tech} and {field}: What Providers Need to Know",
	"Study Finds {tech} Reduces {result} by {pct}%",
	"Q&A: {person} on {field}",
	"{publisher} Raises ${m}M for {tech}-Powered {field} Platform",
	"{actor} Struggle With {issue} as {tech} Adoption Grows",
	"CMS Proposes New Rules on {field} and {tech}",
	"Report: {pct}% of {actor} Plan to Invest in {tech} This Year",
	"“{phrase}” — {person} on the State of {field}",
	"The Hidden Costs of {issue} in {field}",
	"{tech} Won’t Fix {issue} on Its Own",
	"{actor} Turn to {tech} to Address {issue}",
	"Inside {product}: {tech} for {field}",
	"#{n} on Our List: {tech} in {field}",
	"{field} in {year} - {phrase}",
}

var sentenceTemplates = []string{
	"{tech} continues to reshape {field}, and {actor} are paying close attention.",
	"According to a recent survey, {pct}% of {actor} say {issue} is their biggest challenge this year.",
	"Cybersecurity, so far, remains the most daunting challenge facing the healthcare industry, amplifying every passing day.",
	"Experts believe that {tech} could cut {result} significantly over the next five years.",
	"The program enrolled more than {k},000 patients across {n} states in its first year.",
	"{person} argued that the industry must focus on {result} rather than volume.",
	"What is even more alarming is that most {actor} still lack a formal plan for {issue}.",
	"The new guidance from CMS clarifies how {field} services are reimbursed under Medicare.",
	"Early results show a {pct}% improvement in {result} among participants.",
	"Clinicians reported spending less time on documentation after the rollout of {product}.",
	"Interoperability remains a sticking point, with many {actor} unable to exchange data reliably.",
	"The study, published in a peer-reviewed journal, followed patients for {n} months.",
	"Payers are increasingly tying reimbursement to {result} and other quality measures.",
	"{actor} that invested early in {tech} are now seeing measurable returns.",
	"Patients, meanwhile, expect the same convenience from healthcare that they get from retail.",
	"Analysts expect the market for {tech} to exceed ${m} billion by {year}.",
	"The pandemic accelerated adoption of {tech} by at least three years, according to the report.",
	"Still, {issue} and {issue} continue to slow progress in {field}.",
	"Vendors such as {product} promise to close care gaps, but the evidence is still emerging.",
	"Health systems must balance innovation with patient privacy and regulatory compliance.",
	"In a statement, the company said the funding will be used to expand its {field} offerings.",
	"Leaders should start small, measure results, and scale what works.",
	"It’s a shift that {actor} can’t afford to ignore.",
	"Data breaches cost the healthcare industry as much as ${m} billion per year.",
	"The rule takes effect on January 1, {year}, and applies to {actor} of every size.",
	"Moreover, {actor} that adopt {tech} early tend to report lower {result}.",
}

var listTemplates = []string{
	"Assess current workflows and identify bottlenecks",
	"Engage clinicians early in the selection process",
	"Establish clear metrics for {result}",
	"Invest in staff training and change management",
	"Ensure compliance with HIPAA and state privacy laws",
	"Integrate {tech} with the existing EHR",
	"Monitor results and iterate every quarter",
	"Partner with payers on shared-savings arrangements",
	"Address {issue} with targeted interventions",
	"Use patient feedback to refine the program",
	"Encrypt data at rest and in transit",
	"Segment networks and patch legacy medical devices",
	"Budget for {tech} over {n} years, not one",
}
